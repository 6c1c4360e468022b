import type { CoreServices } from '../core.js';
import { listPorts } from '../pairing/discovery.js';
import type { HandlerGroup } from './types.js';

type Methods =
  | 'devices.ports'
  | 'devices.list'
  | 'devices.forget'
  | 'pairing.start'
  | 'pairing.scan'
  | 'pairing.provision'
  | 'pairing.cancel'
  | 'pairing.names';

export function deviceHandlers(s: Pick<CoreServices, 'devices' | 'pairing' | 'bus'>): HandlerGroup<Methods> {
  return {
    'devices.ports': async () => {
      const listing = await listPorts();
      return listing.ports.map((p) => ({
        path: p.path,
        ...(p.board ? { board: p.board } : {}),
        ...(p.vidPid ? { vendorId: p.vidPid.split(':')[0], productId: p.vidPid.split(':')[1] } : {}),
        ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
        ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
      }));
    },
    'devices.list': async () => s.devices.list(),
    'devices.forget': async ({ id }) => {
      const removed = s.devices.remove(id);
      s.bus.emit('devices.changed', s.devices.list());
      return { removed };
    },
    'pairing.start': async ({ port, baudRate }) => s.pairing.start(port, baudRate),
    'pairing.scan': async ({ pairingId }) => s.pairing.scan(pairingId),
    'pairing.provision': async (params) => s.pairing.provision(params),
    'pairing.cancel': async ({ pairingId }) => ({ cancelled: await s.pairing.cancel(pairingId) }),
    'pairing.names': async ({ pairingId, hostname, deviceName }) =>
      s.pairing.names(pairingId, { ...(hostname ? { hostname } : {}), ...(deviceName ? { deviceName } : {}) }),
  };
}
