/** Whether pairing offers a device an IAM token of its own through this profile, and whether by default. */
import type { ProfileDTO } from '../../../../electron/api';
import { api } from '../../lib/api';
import { errorText } from '../../lib/format';

export async function deviceTokenOffer(
  profile: ProfileDTO | undefined,
): Promise<{ canManage: boolean; byDefault: boolean; reason?: string }> {
  if (!profile) return { canManage: false, byDefault: false, reason: 'pick a profile' };
  try {
    const c = await api.call('iam.capability', { profileId: profile.id });
    // ticked for a profile that holds account credentials; offered unticked for the built-in sandbox
    const admin = !profile.builtIn && (profile.credentialType === 'secretKey' || profile.credentialType === 'iamToken');
    return { canManage: c.canManage, byDefault: c.canManage && admin, ...(c.reason ? { reason: c.reason } : {}) };
  } catch (e) {
    return { canManage: false, byDefault: false, reason: errorText(e) };
  }
}
