/**
 * Nesting bound for JSON the sandbox accepts from clients. JSON.parse copes with any depth, but
 * JSON.stringify and socket.io's encoder recurse: a 60 000-level body would overflow the stack
 * mid-delivery (a 500 and a half-bridged message). Checked without recursion.
 */
export const MAX_JSON_DEPTH = 100;

export function nestedTooDeep(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}
