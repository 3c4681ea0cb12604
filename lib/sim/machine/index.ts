/**
 * The simulated Windows machine (public surface). Implementation lives in ./machine/*;
 * persistence in ./state.ts, scenarios in ./scenario.ts. See lib/sim/README.md, "Machine".
 */
export * from './machine/constants';
export * from './machine/faults';
export type * from './machine/types';
export { STATE_FORMAT, STATE_VERSION } from './machine/types';
export { SimWorld, SimMachine, COMMAND_TEXT_LIMIT } from './machine/world';
export type { ServiceView, StopOptions } from './machine/services';
export type { PoolView, SiteView, WorkerView } from './machine/pools';
export type { ProcessView } from './machine/processes';
export type { EventQuery, WriteEntry } from './machine/eventlog';
export type { EventTemplate } from './machine/messages';
export * as eventTemplates from './machine/messages';
export { buildWorld } from './machine/build';
export { parseTimeSpan, formatTimeSpan } from './machine/timespan';
export { normaliseRegistryPath } from './machine/registry';
