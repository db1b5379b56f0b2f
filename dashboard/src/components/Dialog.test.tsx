import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState, type ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ConfirmDialog, Modal } from './Dialog';

function ModalHost({ children = <input aria-label="New name" data-autofocus /> }: { children?: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button onClick={() => setOpen(true)}>Open</button>
      <Modal open={open} onClose={() => setOpen(false)} title="Rename" footer={<button>Save</button>}>
        {children}
      </Modal>
    </>
  );
}

function ConfirmHost({ onConfirm }: { onConfirm: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button onClick={() => setOpen(true)}>Delete…</button>
      <ConfirmDialog open={open} onClose={() => setOpen(false)} onConfirm={onConfirm} title="Delete it?" confirmLabel="Delete" danger>
        This cannot be undone.
      </ConfirmDialog>
    </>
  );
}

describe('Modal', () => {
  it('focuses the marked control and gives focus back to the opener on Escape', async () => {
    const user = userEvent.setup();
    render(<ModalHost />);
    await user.click(screen.getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(screen.getByLabelText('New name')).toHaveFocus());
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Open' })).toHaveFocus());
  });

  it('keeps Tab and Shift+Tab inside', async () => {
    const user = userEvent.setup();
    render(<ModalHost>Nothing to fill in.</ModalHost>);
    await user.click(screen.getByRole('button', { name: 'Open' }));
    const [close, save] = [screen.getByRole('button', { name: 'Close' }), screen.getByRole('button', { name: 'Save' })];
    await waitFor(() => expect(close).toHaveFocus());
    await user.tab();
    expect(save).toHaveFocus();
    await user.tab();
    expect(close).toHaveFocus();
    await user.tab({ shift: true });
    expect(save).toHaveFocus();
  });

  it('gives focus back when closed with its Close button', async () => {
    const user = userEvent.setup();
    render(<ModalHost />);
    await user.click(screen.getByRole('button', { name: 'Open' }));
    await user.click(screen.getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Open' })).toHaveFocus());
  });
});

describe('ConfirmDialog', () => {
  it('opens on Cancel, so Enter does not confirm a destructive action', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<ConfirmHost onConfirm={onConfirm} />);
    await user.click(screen.getByRole('button', { name: 'Delete…' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus());
    await user.keyboard('{Enter}');
    expect(onConfirm).not.toHaveBeenCalled();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Delete…' })).toHaveFocus());
  });
});
