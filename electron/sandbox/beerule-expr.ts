/**
 * Beerule conditions and action values: small expressions such as `home.temp > 25 && home.temp < 40` or
 * `home.temp * 1.8 + 32` (bbt_node's tests send `channeltest.res1 > 0` and `channeltest.res1 + 30`). Beebotte
 * says only that a condition is "a true/false expression applied on the event data or metadata"; its grammar
 * is not public, so the sandbox picks this one (README): numbers, 'strings', "strings", true, false, null;
 * `+ - * / %`, comparisons (`==` and `!=` compare values strictly), `&& || !` and parentheses; names are
 * resolved by the caller (see beerules-runner.ts). Parsed here, never handed to `eval`; bounded in length
 * and nesting so a rule cannot make the evaluator spin.
 */
import { errors } from './errors.js';

export const MAX_EXPRESSION_LENGTH = 512;
/** nesting (each parenthesis costs about seven levels of the grammar): bounds the parser's and evaluator's recursion */
const MAX_DEPTH = 128;
/** a value built by `+` on strings stays within the REST/WebSocket message limit (128 KiB) */
export const MAX_TEXT_LENGTH = 128 * 1024;
/**
 * Characters one evaluation may serialise to compare (`==` on objects and strings) or join (`+`): without a
 * bound, `data == data == …` on a 120 KB message serialised it 84 times (~26 ms a run, on every message).
 */
export const MAX_EVALUATION_TEXT = 8 * MAX_TEXT_LENGTH;

export type Expr =
  | { kind: 'lit'; value: unknown }
  | { kind: 'name'; path: string[] }
  | { kind: 'unary'; op: '!' | '-'; arg: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

type Token = { type: 'num' | 'str' | 'name' | 'op'; text: string; value?: unknown };

const OPERATORS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')'];
/** lowest to highest; each level is left-associative */
const LEVELS: string[][] = [['||'], ['&&'], ['==', '!=', '===', '!=='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];

/** Parses an expression or throws 400/1403 saying what is wrong and where. */
export function parseExpression(source: string, what: string): Expr {
  if (source.length > MAX_EXPRESSION_LENGTH)
    throw errors.validation(`${what} is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const tokens = tokenize(source, what);
  if (tokens.length === 0) throw errors.validation(`${what} is empty`);
  let pos = 0;
  const fail = (why: string): never => {
    throw errors.validation(`${what}: ${why} (at "${tokens[pos]?.text ?? 'end'}")`);
  };
  const parseLevel = (level: number, depth: number): Expr => {
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels`);
    if (level === LEVELS.length) return parseUnary(depth);
    let left = parseLevel(level + 1, depth + 1);
    while (pos < tokens.length && tokens[pos]!.type === 'op' && LEVELS[level]!.includes(tokens[pos]!.text)) {
      const op = tokens[pos++]!.text;
      left = { kind: 'binary', op, left, right: parseLevel(level + 1, depth + 1) };
    }
    return left;
  };
  const parseUnary = (depth: number): Expr => {
    const token = tokens[pos];
    if (!token) return fail('the expression ends too early');
    if (token.type === 'op' && (token.text === '!' || token.text === '-')) {
      pos++;
      return { kind: 'unary', op: token.text, arg: parseUnary(depth + 1) };
    }
    if (token.type === 'op' && token.text === '(') {
      pos++;
      const inner = parseLevel(0, depth + 1);
      if (tokens[pos]?.text !== ')') fail('a ( is not closed');
      pos++;
      return inner;
    }
    pos++;
    if (token.type === 'num' || token.type === 'str') return { kind: 'lit', value: token.value };
    if (token.type === 'name') {
      if (token.text === 'true' || token.text === 'false') return { kind: 'lit', value: token.text === 'true' };
      if (token.text === 'null') return { kind: 'lit', value: null };
      return { kind: 'name', path: token.text.split('.') };
    }
    pos--;
    return fail('a value was expected');
  };
  const tree = parseLevel(0, 0);
  if (pos !== tokens.length) fail('unexpected text');
  return tree;
}

function tokenize(source: string, what: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ type: 'num', text: number[0], value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*/.exec(source.slice(i));
    if (name) {
      tokens.push({ type: 'name', text: name[0] });
      i += name[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = source.indexOf(c, i + 1);
      if (end < 0) throw errors.validation(`${what}: a string is not closed`);
      tokens.push({ type: 'str', text: source.slice(i, end + 1), value: source.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) throw errors.validation(`${what}: unexpected character "${c}"`);
    tokens.push({ type: 'op', text: op });
    i += op.length;
  }
  return tokens;
}

/** What one evaluation may still serialise (MAX_EVALUATION_TEXT). */
interface Budget {
  text: number;
}

/** Evaluates a parsed expression; `resolve` gives a name's value (undefined when it names nothing). */
export function evaluate(expr: Expr, resolve: (path: string[]) => unknown): unknown {
  return evaluateWithin(expr, resolve, { text: MAX_EVALUATION_TEXT });
}

function evaluateWithin(expr: Expr, resolve: (path: string[]) => unknown, budget: Budget): unknown {
  switch (expr.kind) {
    case 'lit':
      return expr.value;
    case 'name':
      return resolve(expr.path);
    case 'unary': {
      const value = evaluateWithin(expr.arg, resolve, budget);
      return expr.op === '!' ? !truthy(value) : -toNumber(value);
    }
    case 'binary':
      return binary(expr.op, expr.left, expr.right, resolve, budget);
  }
}

function binary(op: string, leftExpr: Expr, rightExpr: Expr, resolve: (path: string[]) => unknown, budget: Budget): unknown {
  const left = evaluateWithin(leftExpr, resolve, budget);
  if (op === '&&') return truthy(left) ? truthy(evaluateWithin(rightExpr, resolve, budget)) : false;
  if (op === '||') return truthy(left) ? true : truthy(evaluateWithin(rightExpr, resolve, budget));
  const right = evaluateWithin(rightExpr, resolve, budget);
  switch (op) {
    case '==':
    case '===':
      return sameValue(left, right, budget);
    case '!=':
    case '!==':
      return !sameValue(left, right, budget);
    case '+':
      return typeof left === 'string' || typeof right === 'string' ? join(left, right, budget) : toNumber(left) + toNumber(right);
    case '-':
      return toNumber(left) - toNumber(right);
    case '*':
      return toNumber(left) * toNumber(right);
    case '/':
      return toNumber(left) / toNumber(right);
    case '%':
      return toNumber(left) % toNumber(right);
    default:
      return compare(op, left, right);
  }
}

/**
 * Ordering of two numbers or two strings; a numeric string against a number compares as a number (devices
 * send "21.5"); anything else (a missing value included) compares false.
 */
function compare(op: string, rawLeft: unknown, rawRight: unknown): boolean {
  const left = typeof rawLeft === 'string' && typeof rawRight === 'number' ? toNumber(rawLeft) : rawLeft;
  const right = typeof rawRight === 'string' && typeof rawLeft === 'number' ? toNumber(rawRight) : rawRight;
  const both = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!both) return false;
  const a = left as number | string;
  const b = right as number | string;
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

function sameValue(a: unknown, b: unknown, budget: Budget): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  // two different numbers, strings, booleans or nulls differ; an object never equals one of them; only two
  // objects or arrays compare by content (serialised, within the budget)
  if (!isObject(a) || !isObject(b)) return false;
  return spend(JSON.stringify(a), budget) === spend(JSON.stringify(b), budget); // objects and arrays compare by content
}

function isObject(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}

function spend(serialised: string, budget: Budget): string {
  budget.text -= serialised.length;
  if (budget.text < 0)
    throw errors.validation(
      `the expression compares or joins more than ${MAX_EVALUATION_TEXT} characters of data: compare a field (data.field) rather than the whole message`,
    );
  return serialised;
}

function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
}

/** String `+`: bounded, so `data + data + …` on a large message cannot build a huge value. */
function join(left: unknown, right: unknown, budget: Budget): string {
  const a = spend(text(left), budget);
  const b = spend(text(right), budget);
  if (a.length + b.length > MAX_TEXT_LENGTH)
    throw errors.validation(`a value built with + is longer than ${MAX_TEXT_LENGTH} characters`);
  return a + b;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

export function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '' && !Number.isNaN(value);
}
