import type { FastifyServerOptions } from 'fastify';

/**
 * Fastify's schema compilers for a server that declares no JSON schema (the desk's host, the sandbox's REST):
 * without this option Fastify loads Ajv and fast-json-stringify when the server is made, ~90 ms of CPU on the way
 * to the desk's first reading, for compilers these servers never use. A route that declares a schema fails when it
 * is registered, with this message, rather than going unchecked.
 */
const noSchemas = (): never => {
  throw new Error('this server declares no JSON schemas (see common/fastify-no-schemas.ts): validate in the handler');
};

export const NO_SCHEMA_COMPILERS: FastifyServerOptions['schemaController'] = {
  compilersFactory: { buildValidator: () => noSchemas, buildSerializer: () => noSchemas },
};
