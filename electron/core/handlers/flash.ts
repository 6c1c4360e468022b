import { ApiError } from '../../api.js';
import type { CoreServices } from '../core.js';
import { FlashError } from '../flash/errors.js';
import { loadFirmware } from '../flash/firmware.js';
import { flashFirmware } from '../flash/flasher.js';
import type { HandlerGroup } from './types.js';

/**
 * Firmware onto a board before pairing (the Devices screen's "Flash firmware" step); progress as flash.progress
 * events. A failure is an ApiError 'failed' whose message starts with the step: "verify: verification failed…".
 */
export function flashHandlers(s: Pick<CoreServices, 'bus'>): HandlerGroup<'flash.run'> {
  return {
    'flash.run': async ({ port, firmware: file, offset, erase, baudRate }) => {
      // a second flash, a console or a pairing on the same board is refused by name (the port registry)
      try {
        const firmware = await loadFirmware(file, offset);
        const result = await flashFirmware({
          portPath: port,
          firmware,
          erase,
          ...(baudRate ? { baudRate } : {}),
          onProgress: (p) => s.bus.emit('flash.progress', { port, ...p }),
        });
        return { port, chip: result.chip, firmware: firmware.name, bytes: result.bytes, parts: result.parts };
      } catch (e) {
        if (e instanceof FlashError) {
          s.bus.emit('flash.progress', { port, step: e.step, status: 'failed', detail: e.message });
          throw new ApiError('failed', `${e.step}: ${e.message}`);
        }
        throw e;
      }
    },
  };
}
