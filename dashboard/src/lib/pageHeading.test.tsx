import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Link, MemoryRouter, Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { PageHeader } from '../components/ui';

function Pages() {
  return (
    <MemoryRouter initialEntries={['/']} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <Link to="/schemas">Schemas</Link>
      <Routes>
        <Route path="/" element={<PageHeader title="Overview" />} />
        <Route path="/schemas" element={<PageHeader title="Schemas" />} />
      </Routes>
    </MemoryRouter>
  );
}

describe('page headings', () => {
  it('name the document and leave focus alone on the page first loaded', () => {
    render(<Pages />);

    expect(document.title).toBe('Overview · EventLens');
    expect(document.body).toHaveFocus();
  });

  it('take focus after a route change, so the new page is announced', async () => {
    const user = userEvent.setup();
    render(<Pages />);

    await user.click(screen.getByRole('link', { name: 'Schemas' }));

    const heading = screen.getByRole('heading', { name: 'Schemas', level: 1 });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(document.title).toBe('Schemas · EventLens');
    expect(heading).toHaveAttribute('tabindex', '-1');
  });
});
