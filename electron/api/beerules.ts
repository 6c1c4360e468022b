/**
 * Beerules' part of the contract (Beebotte `/v1/beerules`): the account's own rules, which run in the cloud
 * (or the sandbox) whether or not this desktop is awake — unlike the local alert rules. The desk makes
 * publish and write rules from a form; rules of other action types made elsewhere are listed, enabled,
 * disabled, invoked and deleted like any. An FCM action's server key never crosses here.
 */
import { z } from 'zod';
import { beebotteName, id } from './primitives.js';

export const BEERULE_EVENTS = ['write', 'publish', 'connect', 'disconnect', 'subscribe', 'unsubscribe', 'join', 'leave'] as const;

/** a trigger's channel or resource: a name or `*` (not both `*`: checked below) */
const nameOrAny = z.union([z.literal('*'), beebotteName]);

/** a condition or value expression: `home.temp > 25`, `data * 1.8 + 32` (the server parses it) */
const expression = z.string().trim().min(1).max(512, 'an expression is at most 512 characters');

export const BeeruleInput = z
  .object({
    profileId: id,
    /** present: replace this rule's definition (the sandbox's PUT; the cloud has no update route) */
    ruleId: id.optional(),
    name: z.string().trim().min(2, 'a rule name is 2–48 characters').max(48, 'a rule name is 2–48 characters'),
    description: z.string().max(256).optional(),
    trigger: z.object({ event: z.enum(BEERULE_EVENTS), channel: nameOrAny, resource: nameOrAny }).strict(),
    condition: expression.optional(),
    action: z
      .object({
        type: z.enum(['publish', 'write']),
        channel: beebotteName,
        resource: beebotteName,
        /** what to send; absent: the triggering event's data */
        value: expression.optional(),
      })
      .strict(),
  })
  .strict()
  .refine((r) => r.trigger.channel !== '*' || r.trigger.resource !== '*', {
    message: 'a trigger names a channel or a resource (Beebotte refuses * for both)',
    path: ['trigger'],
  });

export const beeruleMethodParams = {
  'beerules.list': z.object({ profileId: id }).strict(),
  'beerules.save': BeeruleInput,
  'beerules.remove': z.object({ profileId: id, ruleId: id }).strict(),
  'beerules.setEnabled': z.object({ profileId: id, ruleId: id, enabled: z.boolean() }).strict(),
  /** runs the rule now on this message, as if its trigger had seen it */
  'beerules.invoke': z
    .object({ profileId: id, ruleId: id, channel: beebotteName, resource: beebotteName, data: z.unknown().optional() })
    .strict(),
  /** the rule's newest runs (the sandbox keeps them; null where the server keeps none) */
  'beerules.runs': z.object({ profileId: id, ruleId: id }).strict(),
};

export interface BeeruleDTO {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  trigger: { event: string; channel: string; resource: string };
  condition: string | null;
  /** `{type, channel?, resource?, value?, to?, endpoint?…}`; never an FCM server key */
  action: { type: string } & Record<string, string | boolean>;
  /** the rule in words: "on write to home.temp, if home.temp > 25: publish to home.alert" */
  summary: string;
}

export interface BeeruleRunDTO {
  ts: number;
  source: string;
  /** done, condition-false, recorded (webhook/email/FCM in the sandbox), failed, chain-limit */
  outcome: string;
  condition?: boolean;
  action?: Record<string, unknown>;
  error?: string;
}

export interface BeeruleMethodResults {
  'beerules.list': BeeruleDTO[];
  'beerules.save': BeeruleDTO;
  'beerules.remove': { removed: true };
  'beerules.setEnabled': BeeruleDTO;
  /** `run`: what the server says happened (the sandbox answers the run; null when the server says nothing) */
  'beerules.invoke': { run: BeeruleRunDTO | null };
  'beerules.runs': BeeruleRunDTO[] | null;
}
