/** `iisctl restart` (iisreset /RESTART): see ../operation.ts. */
import type { Runtime } from '../context';
import { operationCommand } from '../operation';

export const restartCommand = (runtime: Runtime) => operationCommand(runtime, 'restart');
