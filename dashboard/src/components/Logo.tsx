import { useId } from 'react';

export function Logo({ large }: { large?: boolean }) {
  // Unique per instance: a gradient id shared with a hidden copy (display: none) renders nothing.
  const gradient = `logo-${useId().replace(/:/g, '')}`;
  const size = large ? 'h-10 w-10' : 'h-8 w-8';
  return (
    <div className="flex items-center gap-2.5">
      <svg viewBox="0 0 32 32" className={size} aria-hidden>
        <defs>
          <linearGradient id={gradient} x1="0" y1="0" x2="1" y2="1">
            <stop offset="0" stopColor="#6366f1" />
            <stop offset="1" stopColor="#8b5cf6" />
          </linearGradient>
        </defs>
        <rect width="32" height="32" rx="8" fill={`url(#${gradient})`} />
        <circle cx="14" cy="14" r="6.5" fill="none" stroke="#fff" strokeWidth="2.6" />
        <path d="M19 19l6 6" stroke="#fff" strokeWidth="2.6" strokeLinecap="round" />
        <path d="M10.5 15.5l2-3 2 2 2.5-4" fill="none" stroke="#c7d2fe" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <span className={large ? 'text-xl font-semibold tracking-tight' : 'text-[15px] font-semibold tracking-tight'}>
        Event<span className="text-brand-600 dark:text-brand-400">Lens</span>
      </span>
    </div>
  );
}
