/** Modal dialogs, the side drawer and the confirmation dialog. */
import clsx from 'clsx';
import { FocusTrap } from 'focus-trap-react';
import { X } from 'lucide-react';
import { useEffect, useId, useLayoutEffect, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { Button, IconButton } from './ui';

/**
 * An open dialog over the page. Focus starts on the element marked `data-autofocus` (else the
 * first control), Tab and Shift+Tab stay inside, Escape asks to close, and however it closes,
 * focus goes back to the element that had it when the dialog opened. Mount it only while open:
 * the trap notes that element as it is created, before anything inside can take focus.
 */
function Overlay({
  onClose,
  titleId,
  className,
  backdropClassName,
  panelClassName,
  children,
}: {
  onClose: () => void;
  titleId: string;
  className: string;
  backdropClassName: string;
  panelClassName: string;
  children: ReactNode;
}) {
  const panel = useRef<HTMLDivElement>(null);
  // focus-trap reads its options once: the handler it calls must always be the newest one.
  const close = useRef(onClose);
  useLayoutEffect(() => {
    close.current = onClose;
  });

  useEffect(() => {
    const overflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    return () => {
      document.body.style.overflow = overflow;
    };
  }, []);

  return createPortal(
    <FocusTrap
      focusTrapOptions={{
        initialFocus: () => panel.current?.querySelector<HTMLElement>('[data-autofocus]') ?? undefined,
        fallbackFocus: () => panel.current ?? document.body,
        // The owner closes the dialog; unmounting the trap then gives focus back.
        escapeDeactivates: () => {
          close.current();
          return false;
        },
        // The backdrop closes the dialog through its own click handler, and toasts stay usable.
        allowOutsideClick: true,
      }}
    >
      <div className={className}>
        <div className={backdropClassName} onClick={onClose} aria-hidden />
        <div ref={panel} role="dialog" aria-modal="true" aria-labelledby={titleId} tabIndex={-1} className={panelClassName}>
          {children}
        </div>
      </div>
    </FocusTrap>,
    document.body,
  );
}

export function Modal({
  open,
  onClose,
  title,
  description,
  children,
  footer,
  size = 'md',
}: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'sm' | 'md' | 'lg' | 'xl';
}) {
  const titleId = useId();
  if (!open) return null;
  const width = { sm: 'max-w-md', md: 'max-w-lg', lg: 'max-w-2xl', xl: 'max-w-4xl' }[size];
  return (
    <Overlay
      onClose={onClose}
      titleId={titleId}
      className="fixed inset-0 z-50 flex items-end justify-center sm:items-center sm:p-6"
      backdropClassName="absolute inset-0 animate-fade-in bg-gray-950/50 backdrop-blur-[2px]"
      panelClassName={clsx(
        'relative flex max-h-[92vh] w-full animate-pop-in flex-col rounded-t-2xl bg-white shadow-2xl ring-1 ring-gray-900/5 focus:outline-none dark:bg-gray-900 dark:ring-white/10 sm:rounded-2xl',
        width,
      )}
    >
      <div className="flex items-start justify-between gap-4 border-b border-gray-100 px-5 py-4 dark:border-gray-800">
        <div className="min-w-0">
          <h2 id={titleId} className="text-base font-semibold text-gray-900 dark:text-white">
            {title}
          </h2>
          {description && <p className="mt-0.5 text-[13px] text-gray-500 dark:text-gray-400">{description}</p>}
        </div>
        <IconButton label="Close" onClick={onClose} className="-mr-2 -mt-1">
          <X className="h-4 w-4" aria-hidden />
        </IconButton>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto px-5 py-4">{children}</div>
      {footer && <div className="flex flex-wrap justify-end gap-2 border-t border-gray-100 px-5 py-3 dark:border-gray-800">{footer}</div>}
    </Overlay>
  );
}

export function Drawer({ open, onClose, title, description, children, actions }: { open: boolean; onClose: () => void; title: ReactNode; description?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  const titleId = useId();
  if (!open) return null;
  return (
    <Overlay
      onClose={onClose}
      titleId={titleId}
      className="fixed inset-0 z-50"
      backdropClassName="absolute inset-0 animate-fade-in bg-gray-950/40"
      panelClassName="absolute inset-y-0 right-0 flex w-full max-w-xl animate-slide-in-right flex-col bg-white shadow-2xl focus:outline-none dark:bg-gray-900 dark:ring-1 dark:ring-white/10"
    >
      <div className="flex items-start justify-between gap-4 border-b border-gray-100 px-5 py-4 dark:border-gray-800">
        <div className="min-w-0">
          <h2 id={titleId} className="truncate text-base font-semibold text-gray-900 dark:text-white">
            {title}
          </h2>
          {description && <p className="mt-0.5 truncate text-[13px] text-gray-500 dark:text-gray-400">{description}</p>}
        </div>
        <div className="flex items-center gap-1">
          {actions}
          <IconButton label="Close" onClick={onClose}>
            <X className="h-4 w-4" aria-hidden />
          </IconButton>
        </div>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto px-5 py-4">{children}</div>
    </Overlay>
  );
}

/** Asks before an action; focus starts on Cancel, so a stray Enter does not confirm it. */
export function ConfirmDialog({
  open,
  onClose,
  onConfirm,
  title,
  children,
  confirmLabel,
  danger,
  loading,
}: {
  open: boolean;
  onClose: () => void;
  onConfirm: () => void;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  loading?: boolean;
}) {
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={title}
      size="sm"
      footer={
        <>
          <Button onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button variant={danger ? 'danger' : 'primary'} loading={loading} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="text-sm text-gray-600 dark:text-gray-300">{children}</div>
    </Modal>
  );
}
