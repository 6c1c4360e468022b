/**
 * codecs/: payload formats, chosen per topic filter and remembered in the settings ('codecs'). Ingest asks
 * `CodecTable.forTopic` once per message (a cached answer per topic); JSON stays the fast default (null).
 */
import { compileTopicFilter, type TopicMatcher } from '../../common/topic-filter.js';
import type { CodecRule } from '../../api/codecs.js';
import { base64Codec } from './base64.js';
import { cborCodec } from './cbor.js';
import { hexCodec } from './hex.js';
import { msgpackCodec } from './msgpack.js';
import { loadProto, lookupType, messageTypes, protobufCodec } from './protobuf.js';
import { SPARKPLUG_FILTER, sparkplugCodec } from './sparkplug.js';
import { jsonCodec, textCodec } from './text.js';
import { CodecError, type CodecName, type PayloadCodec } from './types.js';

export { CodecError, loadProto, messageTypes, SPARKPLUG_FILTER };
export { encodePublish } from './encode.js';
export { toJsonSafe } from './json-safe.js';
export type { CodecName, PayloadCodec };

export const SETTINGS_KEY = 'codecs';
/** distinct topics whose codec is cached; past it the cache starts over (a topic flood cannot grow memory) */
const CACHE_LIMIT = 20_000;

const fixed: Partial<Record<CodecName, PayloadCodec>> = {
  json: jsonCodec,
  text: textCodec,
  hex: hexCodec,
  base64: base64Codec,
  cbor: cborCodec,
  msgpack: msgpackCodec,
};

export type ListedRule = CodecRule & { builtIn?: true };

interface Compiled {
  rule: CodecRule;
  matches: TopicMatcher;
  /** null: JSON, the default path; undefined: the built-in Sparkplug B codec, loaded on the first topic it matches */
  codec: PayloadCodec | null | undefined;
}

/** What the table needs from the store: the settings get/set (store/settings.ts). */
export interface CodecSettings {
  get<T>(key: string, fallback: T): T;
  set(key: string, value: unknown): void;
}

export class CodecTable {
  private compiled: Compiled[] = [];
  private readonly cache = new Map<string, PayloadCodec | null>();
  private sparkplug: PayloadCodec | null | undefined;

  constructor(
    private readonly settings: CodecSettings,
    private readonly resourcesDir: string,
    private readonly warn: (line: string) => void = () => {},
  ) {
    const saved = settings.get<CodecRule[]>(SETTINGS_KEY, []);
    this.compile(Array.isArray(saved) ? saved : [], false);
  }

  /** The codec for a topic, or null for the JSON default. Hot path: one Map lookup after the first message. */
  forTopic(topic: string): PayloadCodec | null {
    const hit = this.cache.get(topic);
    if (hit !== undefined) return hit;
    let codec: PayloadCodec | null = null;
    for (const c of this.compiled) {
      if (c.matches(topic)) {
        codec = c.codec === undefined ? this.sparkplugB() : c.codec;
        break;
      }
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(topic, codec);
    return codec;
  }

  /** The saved rules, then the built-in Sparkplug B one unless a saved rule is for its filter. */
  list(): ListedRule[] {
    const rules: ListedRule[] = this.compiled.filter((c) => !isBuiltIn(c.rule)).map((c) => c.rule);
    if (!rules.some((r) => r.filter === SPARKPLUG_FILTER))
      rules.push({ filter: SPARKPLUG_FILTER, codec: 'sparkplugb', builtIn: true });
    return rules;
  }

  /** Replaces the rules (validated by the contract): each .proto is loaded now, so a bad one fails the save. */
  save(rules: CodecRule[]): ListedRule[] {
    this.compile(rules, true);
    this.settings.set(SETTINGS_KEY, rules);
    return this.list();
  }

  private compile(rules: CodecRule[], strict: boolean): void {
    const compiled: Compiled[] = [];
    for (const rule of rules) {
      try {
        compiled.push({ rule, matches: compileTopicFilter(rule.filter), codec: this.build(rule) });
      } catch (err) {
        const message = `codec for ${rule.filter}: ${(err as Error).message}`;
        if (strict) throw err instanceof CodecError ? err : new CodecError(message);
        // a saved .proto that went missing: its topics fall back to JSON, and the log says why
        this.warn(`${message} (its topics are decoded as JSON until it is fixed)`);
      }
    }
    if (!rules.some((r) => r.filter === SPARKPLUG_FILTER)) {
      const rule: CodecRule = { filter: SPARKPLUG_FILTER, codec: 'sparkplugb' };
      // not loaded here: protobufjs and the schema cost the startup ~40 ms, and most sessions see no Sparkplug
      compiled.push({
        rule: { ...rule, builtIn: true } as CodecRule,
        matches: compileTopicFilter(SPARKPLUG_FILTER),
        codec: undefined,
      });
    }
    this.compiled = compiled;
    this.cache.clear();
  }

  private build(rule: CodecRule): PayloadCodec | null {
    switch (rule.codec) {
      case 'json':
        return null;
      case 'sparkplugb':
        return this.sparkplugB();
      case 'protobuf':
        return protobufCodec(lookupType(loadProto(rule.protoFile!), rule.messageType!, rule.protoFile!));
      default:
        return fixed[rule.codec]!;
    }
  }

  /** Loaded once, lazily; a missing schema file (a broken install) leaves Sparkplug topics as binary. */
  private sparkplugB(): PayloadCodec | null {
    if (this.sparkplug === undefined) {
      try {
        this.sparkplug = sparkplugCodec(this.resourcesDir);
      } catch (err) {
        this.warn(`Sparkplug B schema not loaded: ${(err as Error).message}`);
        this.sparkplug = null;
      }
    }
    return this.sparkplug;
  }
}

function isBuiltIn(rule: CodecRule): boolean {
  return (rule as ListedRule).builtIn === true;
}
