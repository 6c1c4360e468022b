/**
 * The codecs part of the contract: how payloads on a topic filter are decoded (and remembered), and how a publish
 * is encoded. Like api.ts, it imports nothing from the core.
 */
import { z } from 'zod';
import { id, topic } from './primitives.js';
import { topicFilterError } from '../common/topic-filter.js';

export const CODEC_NAMES = ['json', 'text', 'hex', 'base64', 'cbor', 'msgpack', 'protobuf', 'sparkplugb'] as const;
export type CodecName = (typeof CODEC_NAMES)[number];
/** What a publish can be encoded as (Sparkplug B is decoded only: its sequence numbers belong to the edge node). */
export const ENCODING_NAMES = ['json', 'text', 'hex', 'base64', 'cbor', 'msgpack', 'protobuf'] as const;
export type EncodingName = (typeof ENCODING_NAMES)[number];

const protoFile = z.string().min(1).max(4096);
const messageType = z
  .string()
  .min(1)
  .max(256)
  .regex(/^\.?[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, 'a message type is a dotted name, e.g. sensors.Reading');

/** One remembered choice: payloads on topics matching `filter` are decoded with `codec` (first match wins). */
export const CodecRuleInput = z
  .object({
    filter: z
      .string()
      .min(1)
      .max(1024)
      .superRefine((f, ctx) => {
        const problem = topicFilterError(f);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    codec: z.enum(CODEC_NAMES),
    /** protobuf: the .proto file on this machine, read by the core */
    protoFile: protoFile.optional(),
    /** protobuf: the message type in it */
    messageType: messageType.optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.codec === 'protobuf') {
      if (!rule.protoFile) ctx.addIssue({ code: 'custom', path: ['protoFile'], message: 'Protobuf needs the .proto file' });
      if (!rule.messageType) ctx.addIssue({ code: 'custom', path: ['messageType'], message: 'Protobuf needs the message type' });
    } else if (rule.protoFile !== undefined || rule.messageType !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['protoFile'], message: 'only the protobuf codec takes a .proto and a message type' });
    }
  });
export type CodecRule = z.infer<typeof CodecRuleInput>;

/** messages.publish's encoding (additive): absent = today's behaviour (JSON or raw text). */
export const PublishEncoding = {
  encoding: z.enum(ENCODING_NAMES).optional(),
  protoFile: protoFile.optional(),
  messageType: messageType.optional(),
};

/** A numeric series for charts, computed in the core from the store. */
export const SeriesQuery = z
  .object({
    profileId: id,
    topic,
    /** a JSON path into the decoded payload (e.g. `v`, `data.temp`); absent = the first numeric field */
    path: z.string().max(256).optional(),
    /** ms since epoch */
    since: z.number().int().min(0),
    until: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(20_000).default(5000),
  })
  .strict();

export interface SeriesResult {
  /** the path that was read (the one asked for, or the one picked: `v`), null when nothing numeric was found */
  path: string | null;
  /** [ms since epoch, value], oldest first */
  points: [number, number][];
  /** numeric fields seen in the newest payload, for the field picker */
  fields: string[];
}

export const codecMethodParams = {
  'codecs.list': z.object({}).strict(),
  'codecs.save': z.object({ rules: z.array(CodecRuleInput).max(200) }).strict(),
  /** the message types a .proto declares (the picker's list); fails with what is wrong with the file */
  'codecs.protoTypes': z.object({ protoFile }).strict(),
  'messages.series': SeriesQuery,
} as const;

export interface CodecMethodResults {
  /** the saved rules, plus the built-in Sparkplug B one (`builtIn`) unless a saved rule covers spBv1.0/# */
  'codecs.list': (CodecRule & { builtIn?: true })[];
  'codecs.save': (CodecRule & { builtIn?: true })[];
  'codecs.protoTypes': { types: string[] };
  'messages.series': SeriesResult;
}
