import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/errors';

const rest = vi.hoisted(() => vi.fn());
vi.mock('../lib/http', () => ({ rest, gql: vi.fn() }));

import { reprocess } from './Pipeline';

describe('re-processing rejected events', () => {
  it('reports the counts', async () => {
    rest.mockResolvedValueOnce({ reprocessed: 3, still_rejected: 1 });
    expect(await reprocess('shop')).toEqual({ kind: 'done', reprocessed: 3, stillRejected: 1 });
    expect(rest).toHaveBeenCalledWith('POST', '/api/events/rejected/reprocess', { schema_id: 'shop' });
  });

  it('says clearly when the server has no such endpoint (404 for the route)', async () => {
    rest.mockRejectedValueOnce(new ApiError({ status: 404, code: 'no_route', message: 'no route POST /api/events/rejected/reprocess' }));
    const outcome = await reprocess(null);
    expect(outcome.kind).toBe('unavailable');
    expect(outcome.message).toMatch(/does not offer re-processing/);
  });

  it('passes other errors on (e.g. an unknown schema)', async () => {
    rest.mockRejectedValueOnce(new ApiError({ status: 404, code: 'not_found', message: "schema 'nope' does not exist" }));
    expect(await reprocess('nope')).toEqual({ kind: 'error', message: "schema 'nope' does not exist" });
  });
});
