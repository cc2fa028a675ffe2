// After a change, the cached answers of the services it touches are fetched again: the app keeps
// no copy of server state beyond TanStack Query's cache.
import { createConnectQueryKey } from "@connectrpc/connect-query";
import type { DescService } from "@bufbuild/protobuf";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

/** useRefresh returns a function that refetches every cached call of the given services. */
export function useRefresh(...services: DescService[]): () => void {
  const queryClient = useQueryClient();
  return useCallback(() => {
    for (const schema of services) {
      void queryClient.invalidateQueries({ queryKey: createConnectQueryKey({ schema, cardinality: undefined }) });
    }
    // The services are module constants: their identity never changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryClient, ...services]);
}
