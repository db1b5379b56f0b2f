import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/errors';

const rest = vi.hoisted(() => vi.fn());
vi.mock('../lib/http', () => ({ rest, gql: vi.fn() }));

import { ingestFigures, reprocess } from './Pipeline';

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

describe('ingest rate figures', () => {
  const hour = (counts: number[]) => counts.map((count) => ({ count }));
  const average = (counts: number[]) => ingestFigures(hour(counts)).find((f) => f.label === 'Average');

  it('shows a low rate per hour instead of rounding it to zero', () => {
    // 25 events over an hour of minute buckets: 0.42 a minute.
    const counts = Array.from({ length: 60 }, (_, i) => (i < 25 ? 1 : 0));
    expect(average(counts)).toMatchObject({ value: '25', unit: '/h' });
    expect(average([...Array.from({ length: 57 }, () => 0), 1, 1, 1])).toMatchObject({ value: '3', unit: '/h' });
    // One event in ten hours of buckets, then in a hundred: never shown as 0.
    expect(average([1, ...Array.from({ length: 599 }, () => 0)])).toMatchObject({ value: '0.1', unit: '/h' });
    expect(average([1, ...Array.from({ length: 5_999 }, () => 0)])).toMatchObject({ value: '< 0.1', unit: '/h' });
  });

  it('shows one decimal from one a minute, whole numbers from ten', () => {
    expect(average([2, 3, 2, 3, 2])).toMatchObject({ value: '2.4', unit: '/min' });
    expect(average([120, 130])).toMatchObject({ value: '125', unit: '/min' });
    expect(average(Array.from({ length: 61 }, () => 0))).toMatchObject({ value: '0', unit: '/min' });
    expect(average([])).toMatchObject({ value: '0', unit: '/min' });
  });

  it('reads the last full minute (the newest is still filling) and the peak', () => {
    const [lastFull, , peak] = ingestFigures(hour([4, 9, 7, 1]));
    expect(lastFull).toMatchObject({ label: 'Last full minute', value: '7' });
    expect(peak).toMatchObject({ label: 'Peak / min', value: '9' });
  });
});
