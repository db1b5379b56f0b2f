import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { Segmented } from './ui';

function Range({ initial = null }: { initial?: 'today' | '7d' | '30d' | null }) {
  const [value, setValue] = useState<'today' | '7d' | '30d' | null>(initial);
  return (
    <>
      <button>Before</button>
      <Segmented
        label="Time range"
        value={value}
        onChange={setValue}
        options={[
          { value: 'today', label: 'Today' },
          { value: '7d', label: '7d' },
          { value: '30d', label: '30d' },
        ]}
      />
      <button>After</button>
    </>
  );
}

describe('radio groups', () => {
  it('are one tab stop: the checked radio', async () => {
    const user = userEvent.setup();
    render(<Range initial="7d" />);
    await user.click(screen.getByRole('button', { name: 'Before' }));

    await user.tab();
    expect(screen.getByRole('radio', { name: '7d' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'After' })).toHaveFocus();
  });

  it('are entered on the first radio when none is checked', async () => {
    const user = userEvent.setup();
    render(<Range />);
    await user.click(screen.getByRole('button', { name: 'Before' }));

    await user.tab();
    expect(screen.getByRole('radio', { name: 'Today' })).toHaveFocus();
  });

  it('check and focus the next radio with the arrow keys, wrapping around, and Home and End', async () => {
    const user = userEvent.setup();
    render(<Range initial="today" />);
    await user.click(screen.getByRole('button', { name: 'Before' }));
    await user.tab();

    await user.keyboard('{ArrowRight}');
    expect(screen.getByRole('radio', { name: '7d' })).toHaveFocus();
    expect(screen.getByRole('radio', { name: '7d' })).toHaveAttribute('aria-checked', 'true');

    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(screen.getByRole('radio', { name: 'Today' })).toHaveAttribute('aria-checked', 'true');

    await user.keyboard('{ArrowLeft}');
    expect(screen.getByRole('radio', { name: '30d' })).toHaveFocus();
    expect(screen.getByRole('radio', { name: '30d' })).toHaveAttribute('aria-checked', 'true');

    await user.keyboard('{Home}');
    expect(screen.getByRole('radio', { name: 'Today' })).toHaveAttribute('aria-checked', 'true');
    await user.keyboard('{End}');
    expect(screen.getByRole('radio', { name: '30d' })).toHaveFocus();
  });
});
