/** `iisctl start` (iisreset /START): see ../operation.ts. */
import type { Runtime } from '../context';
import { operationCommand } from '../operation';

export const startCommand = (runtime: Runtime) => operationCommand(runtime, 'start');
