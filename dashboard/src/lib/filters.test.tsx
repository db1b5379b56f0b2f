import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { parseEventFilters, toEventFilterInput, writeEventFilters } from './eventFilters';
import { parseOverview, useOverviewState, writeOverview } from './filters';

function Probe() {
  const [state, update] = useOverviewState();
  const location = useLocation();
  return (
    <div>
      <output data-testid="search">{location.search}</output>
      <output data-testid="state">{JSON.stringify(state)}</output>
      <button onClick={() => update({ filters: { schema: 'shop' } })}>schema</button>
      <button onClick={() => update({ filters: { type: 'page_view' } })}>type</button>
      <button onClick={() => update({ range: { kind: 'custom', from: '2025-01-01', to: '2025-01-31' } })}>custom</button>
      <button onClick={() => update({ range: { kind: '24h' }, filters: { schema: null, type: null } })}>reset</button>
    </div>
  );
}

describe('overview state in the URL', () => {
  it('reads a shared link', () => {
    const state = parseOverview(new URLSearchParams('range=7d&schema=shop&adaptor=CAP-ABC123&type=page_view'));
    expect(state).toEqual({ range: { kind: '7d' }, filters: { schema: 'shop', adaptor: 'CAP-ABC123', type: 'page_view' } });
  });

  it('ignores unknown ranges and keeps unrelated parameters when writing', () => {
    expect(parseOverview(new URLSearchParams('range=bogus')).range).toEqual({ kind: '24h' });
    const written = writeOverview(new URLSearchParams('utm=x&schema=old'), { range: { kind: '30d' }, filters: { schema: null, adaptor: null, type: 'click' } });
    expect(written.toString()).toBe('utm=x&range=30d&type=click');
  });

  it('round-trips a custom range', () => {
    const state = { range: { kind: 'custom' as const, from: '2025-01-01', to: '2025-01-31' }, filters: { schema: 's', adaptor: null, type: null } };
    expect(parseOverview(writeOverview(new URLSearchParams(), state))).toEqual(state);
  });

  it('the hook keeps the query string in sync as filters change', async () => {
    const user = userEvent.setup();
    render(
      <MemoryRouter initialEntries={['/?range=7d']} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Probe />
      </MemoryRouter>,
    );
    await act(() => user.click(screen.getByText('schema')));
    await act(() => user.click(screen.getByText('type')));
    expect(screen.getByTestId('search').textContent).toBe('?range=7d&schema=shop&type=page_view');
    await act(() => user.click(screen.getByText('custom')));
    expect(screen.getByTestId('search').textContent).toBe('?range=custom&from=2025-01-01&to=2025-01-31&schema=shop&type=page_view');
    await act(() => user.click(screen.getByText('reset')));
    expect(screen.getByTestId('search').textContent).toBe('');
    expect(JSON.parse(screen.getByTestId('state').textContent)).toEqual({ range: { kind: '24h' }, filters: { schema: null, adaptor: null, type: null } });
  });
});

describe('events explorer filters', () => {
  it('turns URL parameters into the API filter, with typed property values', () => {
    const params = new URLSearchParams();
    params.set('schema', 'shop');
    params.set('session', 'session_1');
    params.append('prop', 'page_path=/about');
    params.append('prop', 'price=42');
    params.append('prop', 'vip=true');
    params.append('prop', 'code="42"');
    params.append('prop', 'note=a=b');
    const filters = parseEventFilters(params);
    const input = toEventFilterInput(filters);
    expect(input.schemaId).toBe('shop');
    expect(input.sessionId).toBe('session_1');
    expect(input.properties).toEqual({ page_path: '/about', price: 42, vip: true, code: '42', note: 'a=b' });
    expect(writeEventFilters(new URLSearchParams(), filters).getAll('prop')).toEqual(['page_path=/about', 'price=42', 'vip=true', 'code="42"', 'note=a=b']);
  });

  it('sends no properties filter when there is none', () => {
    expect(toEventFilterInput(parseEventFilters(new URLSearchParams('type=x'))).properties).toBeNull();
  });
});
