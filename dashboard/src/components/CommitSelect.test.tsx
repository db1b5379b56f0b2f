import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { CommitSelect } from './CommitSelect';

function Host({ onCommit }: { onCommit: (value: string) => void }) {
  const [value, setValue] = useState('all');
  return (
    <CommitSelect
      aria-label="Event type"
      value={value}
      onCommit={(next) => {
        setValue(next);
        onCommit(next);
      }}
    >
      <option value="all">All event types</option>
      <option value="page_view">page_view</option>
      <option value="signup">signup</option>
    </CommitSelect>
  );
}

/** What a browser does when an arrow key is pressed on a closed select: the next option is chosen. */
function arrowDown(select: HTMLSelectElement, to: string) {
  fireEvent.keyDown(select, { key: 'ArrowDown' });
  fireEvent.change(select, { target: { value: to } });
}

describe('CommitSelect', () => {
  it('does not apply the options an arrow key browses through', () => {
    const onCommit = vi.fn();
    render(<Host onCommit={onCommit} />);
    const select = screen.getByLabelText<HTMLSelectElement>('Event type');

    arrowDown(select, 'page_view');
    arrowDown(select, 'signup');

    expect(select.value).toBe('signup');
    expect(onCommit).not.toHaveBeenCalled();
  });

  it('applies the browsed option on Enter, once', () => {
    const onCommit = vi.fn();
    render(<Host onCommit={onCommit} />);
    const select = screen.getByLabelText<HTMLSelectElement>('Event type');

    arrowDown(select, 'page_view');
    fireEvent.keyDown(select, { key: 'Enter' });
    fireEvent.blur(select);

    expect(onCommit).toHaveBeenCalledTimes(1);
    expect(onCommit).toHaveBeenCalledWith('page_view');
  });

  it('applies the browsed option when focus leaves the select', () => {
    const onCommit = vi.fn();
    render(<Host onCommit={onCommit} />);
    const select = screen.getByLabelText<HTMLSelectElement>('Event type');

    arrowDown(select, 'signup');
    fireEvent.blur(select);

    expect(onCommit).toHaveBeenCalledWith('signup');
  });

  it('applies at once a choice picked from the open list', () => {
    const onCommit = vi.fn();
    render(<Host onCommit={onCommit} />);
    const select = screen.getByLabelText<HTMLSelectElement>('Event type');

    fireEvent.change(select, { target: { value: 'signup' } });

    expect(onCommit).toHaveBeenCalledWith('signup');
  });

  it('applies nothing when browsing comes back to the option it started on', () => {
    const onCommit = vi.fn();
    render(<Host onCommit={onCommit} />);
    const select = screen.getByLabelText<HTMLSelectElement>('Event type');

    arrowDown(select, 'page_view');
    fireEvent.keyDown(select, { key: 'ArrowUp' });
    fireEvent.change(select, { target: { value: 'all' } });
    fireEvent.keyDown(select, { key: 'Enter' });

    expect(onCommit).not.toHaveBeenCalled();
  });
});
