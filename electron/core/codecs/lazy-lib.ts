import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A codec library loaded on its first use rather than with the app: most sessions never see CBOR, MessagePack or
 * Protobuf, and loading all three at startup only delays the first reading. Synchronous (codecs decode inside
 * ingest), so through require: each of these packages ships a CommonJS build.
 */
export function lazyLibrary<T>(name: string): () => T {
  let lib: T | undefined;
  return () => (lib ??= require(name) as T);
}
