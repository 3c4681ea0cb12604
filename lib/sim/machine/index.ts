/**
 * The simulated Windows machine (public surface). Implementation lives in this folder;
 * persistence in ../state.ts, scenarios in ../scenario.ts. See lib/sim/README.md, "Machine".
 */
export * from './constants';
export * from './faults';
export type * from './types';
export { STATE_FORMAT, STATE_VERSION } from './types';
export { SimWorld, SimMachine, COMMAND_TEXT_LIMIT } from './world';
export type { ServiceView, StopOptions } from './services';
export type { PoolView, SiteView, WorkerView } from './pools';
export type { ProcessView } from './processes';
export type { EventQuery, WriteEntry } from './eventlog';
export type { EventTemplate } from './messages';
export * as eventTemplates from './messages';
export { buildWorld } from './build';
export { parseTimeSpan, formatTimeSpan } from './timespan';
export { normaliseRegistryPath } from './registry';
