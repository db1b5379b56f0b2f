import clsx from 'clsx';
import { AlertCircle, CheckCircle2, Info, X } from 'lucide-react';
import { dismiss, useToasts } from '../lib/toast';
import { focusRing } from './ui';

export function Toaster() {
  const toasts = useToasts();
  return (
    <div aria-live="polite" className="pointer-events-none fixed inset-x-0 bottom-0 z-[60] flex flex-col items-center gap-2 p-4 sm:items-end">
      {toasts.map((t) => {
        const Icon = t.kind === 'success' ? CheckCircle2 : t.kind === 'error' ? AlertCircle : Info;
        return (
          <div
            key={t.id}
            role={t.kind === 'error' ? 'alert' : 'status'}
            className="pointer-events-auto flex w-full max-w-sm animate-pop-in items-start gap-3 rounded-xl bg-white p-3.5 shadow-lg ring-1 ring-gray-900/10 dark:bg-gray-800 dark:ring-white/10"
          >
            <Icon
              className={clsx('mt-0.5 h-5 w-5 shrink-0', t.kind === 'success' ? 'text-emerald-500' : t.kind === 'error' ? 'text-rose-500' : 'text-brand-500')}
              aria-hidden
            />
            <div className="min-w-0 flex-1">
              <p className="text-sm font-medium text-gray-900 dark:text-white">{t.title}</p>
              {t.body && <p className="mt-0.5 break-words text-[13px] text-gray-500 dark:text-gray-300">{t.body}</p>}
            </div>
            <button
              type="button"
              onClick={() => dismiss(t.id)}
              aria-label="Dismiss"
              className={clsx('rounded p-0.5 text-gray-400 hover:text-gray-600 dark:hover:text-gray-200', focusRing)}
            >
              <X className="h-4 w-4" aria-hidden />
            </button>
          </div>
        );
      })}
    </div>
  );
}
