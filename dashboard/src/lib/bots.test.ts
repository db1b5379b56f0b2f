import { describe, expect, it } from 'vitest';
import { summariseBots, utcDays } from './bots';

const today = new Date('2025-03-10T23:30:00Z');

describe('bot counts per site and day', () => {
  it('covers the window day by day in UTC, oldest first, ending today', () => {
    expect(utcDays(3, today)).toEqual(['2025-03-08', '2025-03-09', '2025-03-10']);
    expect(utcDays(2, new Date('2025-03-01T00:10:00Z'))).toEqual(['2025-02-28', '2025-03-01']);
  });

  it('gives every site a count for each day, 0 where its bots sent nothing', () => {
    const { sites, total } = summariseBots(
      [
        { day: '2025-03-10', container_id: 'CAP-SHOP01', events: 4 },
        { day: '2025-03-08', container_id: 'CAP-SHOP01', events: 1 },
      ],
      3,
      today,
    );
    expect(sites).toEqual([{ containerId: 'CAP-SHOP01', perDay: [1, 0, 4], today: 4, total: 5 }]);
    expect(total).toBe(5);
  });

  it('puts the busiest site first and keeps events that named no site', () => {
    const { sites, total } = summariseBots(
      [
        { day: '2025-03-10', container_id: '', events: 2 },
        { day: '2025-03-09', container_id: 'CAP-BLOG01', events: 9 },
        { day: '2025-03-10', container_id: 'CAP-SHOP01', events: 3 },
      ],
      30,
      today,
    );
    expect(sites.map((s) => [s.containerId, s.total, s.today])).toEqual([
      ['CAP-BLOG01', 9, 0],
      ['CAP-SHOP01', 3, 3],
      ['', 2, 2],
    ]);
    expect(total).toBe(14);
  });

  it('leaves out days outside the window', () => {
    const { sites, total } = summariseBots([{ day: '2025-02-01', container_id: 'CAP-SHOP01', events: 7 }], 30, today);
    expect(sites).toEqual([]);
    expect(total).toBe(0);
  });
});
