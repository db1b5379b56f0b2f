import { Compass } from 'lucide-react';
import { Link } from 'react-router-dom';
import { Card, EmptyState, PageHeader } from '../components/ui';

export default function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Card>
        <EmptyState icon={<Compass className="h-5 w-5" aria-hidden />} title="This page does not exist" action={<Link to="/" className="text-sm font-medium text-brand-600 hover:underline dark:text-brand-400">Back to the overview</Link>}>
          The link may be old, or the address mistyped.
        </EmptyState>
      </Card>
    </>
  );
}
