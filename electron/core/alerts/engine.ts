/**
 * The alert engine: evaluates every enabled rule against each ingested message (cheap: filters and
 * conditions are compiled once in setRules), detects silence on tick(), and applies cooldown, quiet
 * hours and flood control. Never throws into the ingest path.
 */
import type { Clock } from '../platform.js';
import { BoundedMap } from './bounded-map.js';
import { buildAlert, buildSummary, type HitContext } from './build-alert.js';
import { compileCondition, presenceEventOf, type CompiledCondition } from './conditions.js';
import { FloodGate } from './flood.js';
import { inQuietHours } from './quiet-hours.js';
import type { Rule } from './rule.js';
import { compileTopicFilter, type TopicMatcher } from './topic-filter.js';
import type { AlertMessage, FiredAlert } from './types.js';

export interface AlertEngineOptions {
  clock: Clock;
  /** flood control: notifications shown per minute across all rules (default 5) */
  maxPerMinute?: number;
}

export interface AlertStats {
  fired: number;
  suppressedCooldown: number;
  suppressedQuiet: number;
  suppressedFlood: number;
  /** rules that could not be compiled, or evaluations that failed (skipped, never thrown) */
  errors: number;
}

interface CompiledRule {
  rule: Rule;
  /** the rule as JSON: unchanged rules keep their state across setRules */
  fingerprint: string;
  matches: TopicMatcher;
  condition: CompiledCondition;
  /**
   * silent rules, until a first message matches: the rule's start time, and whether a silence alert
   * for the whole filter may fire (nothing matched at all)
   */
  lastSeen: number;
  armed: boolean;
  /** silent rules: each (profile, topic) seen is watched on its own, so one dead device fires under `home/+/temp` */
  topics: BoundedMap<string, SilenceEntry> | null;
}

interface SilenceEntry {
  profileId: string;
  topic: string;
  lastSeen: number;
  /** whether a silence alert may fire (once per silence; a message re-arms it) */
  armed: boolean;
}

type Outcome = 'shown' | 'cooldown' | 'quiet' | 'flood';

/** cooldown entries (rule × topic) kept; the oldest are forgotten past this */
const MAX_COOLDOWNS = 50_000;
/** topics a silence rule watches; past this the first-seen are forgotten (and never reported silent) */
export const MAX_SILENCE_TOPICS = 10_000;
/** a limit that is not a whole number ≥ 1 falls back to this */
const DEFAULT_PER_MINUTE = 5;

function floodLimit(max: number | undefined): number {
  return max !== undefined && Number.isFinite(max) ? Math.max(1, Math.floor(max)) : DEFAULT_PER_MINUTE;
}

export class AlertEngine {
  private readonly clock: Clock;
  private flood: FloodGate;
  private rules: CompiledRule[] = [];
  private silentRules: CompiledRule[] = [];
  /** connect/disconnect rules: fed by evaluatePresence only (a session's own signaling/# messages never count twice) */
  private presenceRules: CompiledRule[] = [];
  private readonly cooldownUntil = new BoundedMap<string, number>(MAX_COOLDOWNS);
  private readonly counters: AlertStats = { fired: 0, suppressedCooldown: 0, suppressedQuiet: 0, suppressedFlood: 0, errors: 0 };

  constructor(options: AlertEngineOptions) {
    this.clock = options.clock;
    this.flood = new FloodGate(floodLimit(options.maxPerMinute));
  }

  /** Replaces the rule set. Disabled rules are dropped; unchanged rules keep their per-topic state. */
  setRules(rules: readonly Rule[]): void {
    const now = this.clock.now();
    const previous = new Map([...this.rules, ...this.presenceRules].map((c) => [c.rule.id, c]));
    const next: CompiledRule[] = [];
    for (const rule of rules) {
      if (!rule.enabled) continue;
      const fingerprint = JSON.stringify(rule);
      const kept = previous.get(rule.id);
      if (kept && kept.fingerprint === fingerprint) {
        next.push(kept);
        continue;
      }
      try {
        const matches = compileTopicFilter(rule.topicFilter);
        const condition = compileCondition(rule.condition);
        const topics = rule.condition.kind === 'silent' ? new BoundedMap<string, SilenceEntry>(MAX_SILENCE_TOPICS) : null;
        next.push({ rule, fingerprint, matches, condition, lastSeen: now, armed: true, topics });
      } catch {
        this.counters.errors++;
      }
    }
    this.rules = next.filter((c) => c.rule.condition.kind !== 'presence');
    this.silentRules = next.filter((c) => c.rule.condition.kind === 'silent');
    this.presenceRules = next.filter((c) => c.rule.condition.kind === 'presence');
  }

  /**
   * Flood control: at most this many notifications a minute (the rest are summarized). Settings saves
   * call this every time: the gate is kept, so alerts it holds still make their summary.
   */
  setMaxPerMinute(max: number): void {
    this.flood.setMaxPerWindow(floodLimit(max));
  }

  /** Called once per ingested message. Returns the notifications to show now (possibly none). */
  evaluate(msg: AlertMessage): FiredAlert[] {
    return this.evaluateWith(this.rules, msg);
  }

  /** A client connected to or left a profile's account (alerts/presence-message.ts made `msg` of it). */
  evaluatePresence(msg: AlertMessage): FiredAlert[] {
    return this.evaluateWith(this.presenceRules, msg);
  }

  /** the profiles whose accounts enabled connect/disconnect rules watch */
  presenceProfiles(): string[] {
    return [...new Set(this.presenceRules.map((c) => c.rule.profileId).filter((id): id is string => id !== null))];
  }

  private evaluateWith(rules: readonly CompiledRule[], msg: AlertMessage): FiredAlert[] {
    const out: FiredAlert[] = [];
    const now = this.clock.now();
    this.flushFlood(now, out);
    for (const compiled of rules) {
      try {
        const { rule } = compiled;
        if (rule.profileId !== null && rule.profileId !== msg.profileId) continue;
        if (!compiled.matches(msg.topic)) continue;
        if (compiled.topics) {
          const key = `${msg.profileId}\u0000${msg.topic}`;
          const seen = compiled.topics.get(key);
          if (seen) {
            seen.lastSeen = now;
            seen.armed = true;
          } else compiled.topics.set(key, { profileId: msg.profileId, topic: msg.topic, lastSeen: now, armed: true });
          continue;
        }
        const hit = compiled.condition.test(msg);
        if (!hit) continue;
        const context: HitContext = { topic: msg.topic, profileId: msg.profileId, value: hit.value, ts: msg.receivedAt };
        if (msg.id !== undefined) context.messageId = msg.id;
        // a presence rule's cooldown is per client: one device's flapping does not hide another's going
        const cooldownTopic = rule.condition.kind === 'presence' ? `${msg.topic}\u0000${presenceEventOf(msg)?.clientid ?? ''}` : msg.topic;
        this.deliver(rule, cooldownTopic, context, now, out);
      } catch {
        this.counters.errors++;
      }
    }
    return out;
  }

  /** Call periodically (every few seconds): fires silence alerts and flood summaries that are due. */
  tick(now: number = this.clock.now()): FiredAlert[] {
    const out: FiredAlert[] = [];
    this.flushFlood(now, out);
    for (const compiled of this.silentRules) {
      try {
        const { rule, topics } = compiled;
        if (rule.condition.kind !== 'silent' || !topics) continue;
        const limitMs = rule.condition.minutes * 60_000;
        if (topics.size === 0) {
          // nothing has matched since the rule started: the whole filter is silent
          if (compiled.armed && now - compiled.lastSeen >= limitMs) {
            const outcome = this.deliver(rule, rule.topicFilter, silenceContext(rule.topicFilter, rule.profileId, now - compiled.lastSeen, now), now, out);
            if (outcome !== 'quiet') compiled.armed = false;
          }
          continue;
        }
        for (const seen of topics.values()) {
          if (!seen.armed || now - seen.lastSeen < limitMs) continue;
          const context = silenceContext(seen.topic, seen.profileId, now - seen.lastSeen, now);
          // fires once per silence; a quiet-hours silence stays armed and fires when quiet hours end
          if (this.deliver(rule, seen.topic, context, now, out) !== 'quiet') seen.armed = false;
        }
      } catch {
        this.counters.errors++;
      }
    }
    return out;
  }

  stats(): AlertStats {
    return { ...this.counters };
  }

  private deliver(rule: Rule, key: string, context: HitContext, now: number, out: FiredAlert[]): Outcome {
    const cooldownKey = `${rule.id}\u0000${key}`;
    const until = this.cooldownUntil.get(cooldownKey);
    if (until !== undefined && now < until) {
      this.counters.suppressedCooldown++;
      return 'cooldown';
    }
    if (inQuietHours(rule.quietHours, now)) {
      this.counters.suppressedQuiet++;
      return 'quiet';
    }
    if (rule.cooldownSeconds > 0) this.cooldownUntil.set(cooldownKey, now + rule.cooldownSeconds * 1000);
    if (!this.flood.admit(now, rule.topicFilter, rule.id, rule.name)) {
      this.counters.suppressedFlood++;
      return 'flood';
    }
    this.counters.fired++;
    out.push(buildAlert(rule, context, now));
    return 'shown';
  }

  private flushFlood(now: number, out: FiredAlert[]): void {
    const held = this.flood.flush(now);
    if (held) out.push(buildSummary(held, now));
  }
}

function silenceContext(topic: string, profileId: string | null, silentMs: number, now: number): HitContext {
  return { topic, profileId, value: `no message for ${Math.floor(silentMs / 60_000)} min`, ts: now };
}
