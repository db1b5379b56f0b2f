import { useQuery } from '@tanstack/react-query';
import { gql } from './http';
import { CatalogQuery } from './queries';

/** Schemas (with their event types) and adaptors, for filter pickers and names. */
export function useCatalog() {
  return useQuery({ queryKey: ['catalog'], queryFn: () => gql(CatalogQuery), staleTime: 30_000 });
}

export function useAdaptorNames(): (containerId: string) => string {
  const { data } = useCatalog();
  return (id: string) => {
    if (id === '(none)') return 'No adaptor';
    return data?.adaptors.find((a) => a.containerId === id)?.name ?? id;
  };
}
