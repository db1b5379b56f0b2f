import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/errors';
import { SchemaEditor, errorTarget } from './SchemaEditor';

function setup(props: Partial<Parameters<typeof SchemaEditor>[0]> = {}) {
  const onSubmit = vi.fn();
  render(<SchemaEditor mode="create" onSubmit={onSubmit} onCancel={() => undefined} {...props} />);
  return { onSubmit };
}

describe('SchemaEditor', () => {
  it('shows JSON errors as you type and clears them when fixed', () => {
    setup();
    const editor = screen.getByLabelText('JSON Schema of page_view');
    fireEvent.change(editor, { target: { value: '{"type": "object",' } });
    expect(screen.getByTestId('schema-errors')).toHaveTextContent(/Invalid JSON at line 1/);
    expect(editor).toHaveAttribute('aria-invalid', 'true');
    fireEvent.change(editor, { target: { value: '{"type": "array"}' } });
    expect(screen.getByTestId('schema-errors')).toHaveTextContent('"type" must be "object"');
    fireEvent.change(editor, { target: { value: '{"type": "object", "properties": {"n": {"type": "integer"}}}' } });
    expect(screen.queryByTestId('schema-errors')).not.toBeInTheDocument();
    expect(screen.getByTestId('schema-valid')).toHaveTextContent('Valid JSON Schema');
  });

  it('does not submit while something is invalid, then sends parsed schemas', async () => {
    const user = userEvent.setup();
    const { onSubmit } = setup();
    await user.type(screen.getByLabelText('Name'), 'Shop Events');
    fireEvent.change(screen.getByLabelText('JSON Schema of page_view'), { target: { value: '{' } });
    await user.click(screen.getByRole('button', { name: 'Create schema' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText(/Start with a lowercase letter/)).toBeInTheDocument();
    expect(screen.getByText('Fix the problems above to save.')).toBeInTheDocument();

    await user.clear(screen.getByLabelText('Name'));
    await user.type(screen.getByLabelText('Name'), 'shop_events');
    fireEvent.change(screen.getByLabelText('JSON Schema of page_view'), { target: { value: '{"type": "object", "required": ["path"], "properties": {"path": {"type": "string"}}}' } });
    await user.click(screen.getByRole('button', { name: 'Add event type' }));
    await user.type(screen.getByLabelText('Event type 2 name'), 'purchase');
    await user.click(screen.getByRole('button', { name: 'Create schema' }));
    expect(onSubmit).toHaveBeenCalledWith({
      name: 'shop_events',
      description: '',
      properties: { page_view: { type: 'object', required: ['path'], properties: { path: { type: 'string' } } }, purchase: {} },
    });
  });

  it('flags duplicate event type names', async () => {
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByRole('button', { name: 'Add event type' }));
    await user.type(screen.getByLabelText('Event type 2 name'), 'page_view');
    expect(screen.getAllByText('Another event type has this name.')).toHaveLength(2);
  });

  it('shows a server error next to the event type it names', () => {
    const error = new ApiError({ status: 422, code: 'invalid', message: "event type 'page_view': invalid JSON Schema at (root): bad", field: 'properties.page_view' });
    expect(errorTarget(error)).toEqual({ field: 'properties', eventType: 'page_view' });
    setup({ mode: 'edit', initial: { name: 'shop', description: 'd', eventTypes: [{ name: 'page_view', jsonSchema: {} }] }, serverError: error });
    const row = screen.getAllByTestId('event-type-row')[0];
    expect(within(row).getByRole('alert')).toHaveTextContent('Server: event type');
    expect(screen.getByLabelText('Name')).toBeDisabled();
  });
});
