import type { MethodName, ParsedParamsOf, ResultOf } from '../../api.js';

/** One async function per contract method; params arrive validated by parseCall. */
export type Handler<M extends MethodName> = (params: ParsedParamsOf<M>) => Promise<ResultOf<M>>;
export type HandlerGroup<M extends MethodName> = { [K in M]: Handler<K> };
export type Handlers = HandlerGroup<MethodName>;
