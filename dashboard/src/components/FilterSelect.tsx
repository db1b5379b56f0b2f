import { CommitSelect } from './CommitSelect';

export function FilterSelect({
  label,
  value,
  onChange,
  options,
  allLabel,
  className,
}: {
  label: string;
  value: string | null;
  onChange: (v: string | null) => void;
  options: Array<{ value: string; label: string }>;
  allLabel: string;
  className?: string;
}) {
  return (
    <label className={className}>
      <span className="sr-only">{label}</span>
      <CommitSelect aria-label={label} value={value ?? ''} onCommit={(v) => onChange(v || null)} className="min-w-[9rem]">
        <option value="">{allLabel}</option>
        {value && !options.some((o) => o.value === value) && <option value={value}>{value}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </CommitSelect>
    </label>
  );
}
