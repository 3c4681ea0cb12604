/** `iisctl pool list | recycle|start|stop NAME...`: see ../surgical.ts (library: iis.appPools). */
import type { Runtime } from '../context';
import { surgicalCommand } from '../surgical';

export const poolCommand = (runtime: Runtime) => surgicalCommand(runtime, 'pool');
