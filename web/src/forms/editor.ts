// The two saves of an editor that creates a record or changes one: a creation empties the form
// for the next one, a change closes the editor, and both refresh what they changed.
import type { DescMessage, DescMethodUnary } from "@bufbuild/protobuf";
import { useMutation } from "@connectrpc/connect-query";
import { fieldErrors } from "../transport/transport";

/**
 * useEditorSaves returns both mutations, the one the form is doing (`save`: the change when
 * `editing`), and its field violations by field name.
 */
export function useEditorSaves<CI extends DescMessage, CO extends DescMessage, UI extends DescMessage, UO extends DescMessage>(
  methods: { create: DescMethodUnary<CI, CO>; update: DescMethodUnary<UI, UO> },
  editing: boolean,
  after: { reset: () => void; refresh: () => void; onDone: () => void },
) {
  const create = useMutation(methods.create, {
    onSuccess: () => {
      after.reset();
      after.refresh();
    },
  });
  const update = useMutation(methods.update, {
    onSuccess: () => {
      after.refresh();
      after.onDone();
    },
  });
  const save = editing ? update : create;
  return { create, update, save, errors: fieldErrors(save.error) };
}
