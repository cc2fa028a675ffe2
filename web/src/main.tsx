import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Code } from "@connectrpc/connect";
import { TransportProvider } from "@connectrpc/connect-query";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App, prefetch } from "./app";
import "./layout/layout.css";
import { registerWorker } from "./push/browser";
import { errorCode, transport } from "./transport/transport";

// An answer that will not change on retry (bad input, no access, signed out) is not retried.
const final = new Set([Code.InvalidArgument, Code.NotFound, Code.PermissionDenied, Code.Unauthenticated, Code.FailedPrecondition]);

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: (n, err) => n < 2 && !final.has(errorCode(err)), staleTime: 10_000 },
  },
});

prefetch(queryClient);
registerWorker();

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <TransportProvider transport={transport}>
        <QueryClientProvider client={queryClient}>
          <App />
        </QueryClientProvider>
      </TransportProvider>
    </StrictMode>,
  );
}
