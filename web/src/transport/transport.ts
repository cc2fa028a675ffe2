// The one transport of the app: gRPC-web to the API on the page's own origin (the dashboards'
// protocol), the bearer token attached to every call, and an expired or revoked session sending
// the person back to sign-in. Screens reach it only through connect-query and the generated
// service descriptors.
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { ViolationsSchema } from "@relance/api/buf/validate/validate_pb";
import { endSession, token } from "./session";

const bearer: Interceptor = (next) => async (req) => {
  const t = token();
  if (t) req.header.set("Authorization", `Bearer ${t}`);
  try {
    return await next(req);
  } catch (e) {
    // Login answers unauthenticated for a wrong password: that one stays on the form.
    if (t && ConnectError.from(e).code === Code.Unauthenticated) endSession();
    throw e;
  }
};

/** transport is shared by every query, mutation and stream of the app. */
export const transport = createGrpcWebTransport({
  baseUrl: window.location.origin,
  useBinaryFormat: true,
  interceptors: [bearer],
});

/**
 * fieldErrors returns the API's field violations of a failed call, by field path
 * ("contact.email", "windows.windows[2].end"); empty when the error names no field. A value
 * refused as already taken (a user's email, a unit's name at its site) names its field too.
 */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!err) return out;
  const ce = ConnectError.from(err);
  if (ce.code !== Code.InvalidArgument && ce.code !== Code.AlreadyExists) return out;
  for (const d of ce.findDetails(ViolationsSchema)) {
    for (const v of d.violations) {
      const path = (v.field?.elements ?? [])
        .map((el) => {
          const s = el.subscript;
          return s.case === "index" ? `${el.fieldName}[${s.value}]` : el.fieldName;
        })
        .join(".");
      out[path] ??= v.message;
    }
  }
  return out;
}

/** errorCode returns the Connect code of a failed call. */
export function errorCode(err: unknown): Code {
  return ConnectError.from(err).code;
}

/** errorMessage returns the API's own words for a failed call, without the code prefix. */
export function errorMessage(err: unknown): string {
  return ConnectError.from(err).rawMessage;
}
