/**
 * The alert engine: evaluates every enabled rule against each ingested message (cheap: filters and
 * conditions are compiled once in setRules), detects silence on tick(), and applies cooldown, quiet
 * hours and flood control. Never throws into the ingest path.
 */
import type { Clock } from '../platform.js';
import { BoundedMap } from './bounded-map.js';
import { buildAlert, buildSummary, type HitContext } from './build-alert.js';
import { compileCondition, type CompiledCondition } from './conditions.js';
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
  /** silent rules: the last time a message matched, and whether a silence alert may fire */
  lastSeen: number;
  armed: boolean;
}

type Outcome = 'shown' | 'cooldown' | 'quiet' | 'flood';

/** cooldown entries (rule × topic) kept; the oldest are forgotten past this */
const MAX_COOLDOWNS = 50_000;

export class AlertEngine {
  private readonly clock: Clock;
  private flood: FloodGate;
  private rules: CompiledRule[] = [];
  private silentRules: CompiledRule[] = [];
  private readonly cooldownUntil = new BoundedMap<string, number>(MAX_COOLDOWNS);
  private readonly counters: AlertStats = { fired: 0, suppressedCooldown: 0, suppressedQuiet: 0, suppressedFlood: 0, errors: 0 };

  constructor(options: AlertEngineOptions) {
    this.clock = options.clock;
    this.flood = new FloodGate(Math.max(1, options.maxPerMinute ?? 5));
  }

  /** Replaces the rule set. Disabled rules are dropped; unchanged rules keep their per-topic state. */
  setRules(rules: readonly Rule[]): void {
    const now = this.clock.now();
    const previous = new Map(this.rules.map((c) => [c.rule.id, c]));
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
        next.push({ rule, fingerprint, matches, condition, lastSeen: now, armed: true });
      } catch {
        this.counters.errors++;
      }
    }
    this.rules = next;
    this.silentRules = next.filter((c) => c.rule.condition.kind === 'silent');
  }

  /** Called once per ingested message. Returns the notifications to show now (possibly none). */
  /** Flood control: at most this many notifications a minute (the rest are summarized). */
  setMaxPerMinute(max: number): void {
    this.flood = new FloodGate(Math.max(1, max));
  }

  evaluate(msg: AlertMessage): FiredAlert[] {
    const out: FiredAlert[] = [];
    const now = this.clock.now();
    this.flushFlood(now, out);
    for (const compiled of this.rules) {
      try {
        const { rule } = compiled;
        if (rule.profileId !== null && rule.profileId !== msg.profileId) continue;
        if (!compiled.matches(msg.topic)) continue;
        if (rule.condition.kind === 'silent') {
          compiled.lastSeen = now;
          compiled.armed = true;
          continue;
        }
        const hit = compiled.condition.test(msg);
        if (!hit) continue;
        const context: HitContext = { topic: msg.topic, profileId: msg.profileId, value: hit.value, ts: msg.receivedAt };
        if (msg.id !== undefined) context.messageId = msg.id;
        this.deliver(rule, msg.topic, context, now, out);
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
        const { rule } = compiled;
        if (rule.condition.kind !== 'silent' || !compiled.armed) continue;
        const silentMs = now - compiled.lastSeen;
        if (silentMs < rule.condition.minutes * 60_000) continue;
        const minutes = Math.floor(silentMs / 60_000);
        const context: HitContext = {
          topic: rule.topicFilter,
          profileId: rule.profileId,
          value: `no message for ${minutes} min`,
          ts: now,
        };
        // fires once per silence; a quiet-hours silence stays armed and fires when quiet hours end
        if (this.deliver(rule, rule.topicFilter, context, now, out) !== 'quiet') compiled.armed = false;
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
