/**
 * Title/body templates: `{topic}`, `{channel}`, `{resource}`, `{value}`, `{ts}`, `{rule}`.
 * Unknown placeholders stay as written (a typo shows up in the notification, not as a blank).
 */
export interface TemplateVars {
  topic: string;
  value: unknown;
  /** ms since epoch */
  ts: number;
  rule: string;
}

/** A value longer than this is clipped with an ellipsis before it lands in a notification. */
export const MAX_VALUE_CHARS = 200;
export const MAX_TITLE_CHARS = 120;
export const MAX_BODY_CHARS = 500;

const PLACEHOLDER = /\{(\w+)\}/g;

export function renderTemplate(template: string, vars: TemplateVars, maxChars: number): string {
  const levels = vars.topic.split('/', 3);
  const values: Record<string, () => string> = {
    topic: () => clip(vars.topic, MAX_VALUE_CHARS),
    channel: () => clip(levels[0] ?? '', MAX_VALUE_CHARS),
    resource: () => clip(levels[1] ?? '', MAX_VALUE_CHARS),
    value: () => formatValue(vars.value),
    ts: () => isoTime(vars.ts),
    rule: () => clip(vars.rule, MAX_VALUE_CHARS),
  };
  const rendered = template.replace(PLACEHOLDER, (whole, name: string) => {
    const get = Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined;
    return get ? get() : whole;
  });
  return clip(rendered, maxChars);
}

/** Strings as they are, everything else as JSON; clipped. Never throws (cycles, BigInt). */
export function formatValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return clip(value, MAX_VALUE_CHARS);
  try {
    return clip(JSON.stringify(value) ?? String(value), MAX_VALUE_CHARS);
  } catch {
    return clip(String(value), MAX_VALUE_CHARS);
  }
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
