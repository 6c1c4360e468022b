import { describe, expect, it } from 'vitest';
import { draftFrom, draftProblem } from '../../renderer/src/views/connections/profile-draft.js';

describe('draftProblem: a stopped save names the field to show its reason at', () => {
  it('an empty name belongs to the name field', () => {
    expect(draftProblem(draftFrom())).toEqual({ field: 'name', text: 'Give the profile a name.' });
  });

  it('a broker URL without a scheme belongs to the URL field', () => {
    const d = { ...draftFrom(), name: 'Lab', url: 'localhost:1883' };
    expect(draftProblem(d)?.field).toBe('url');
    expect(draftProblem({ ...d, url: 'mqtts://broker.local:8883' })).toBeNull();
  });

  it('a Beebotte secret key without an API key belongs to the API key field', () => {
    const d = { ...draftFrom(), name: 'Cloud', kind: 'beebotte' as const, credentialType: 'secretKey' as const, apiKey: ' ' };
    expect(draftProblem(d)?.field).toBe('apiKey');
    expect(draftProblem({ ...d, apiKey: 'key' })).toBeNull();
  });
});
