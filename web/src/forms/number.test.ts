import { describe, expect, it } from "vitest";
import { int } from "./number";

describe("int", () => {
  it.each([
    ["42", 42],
    [" 7 ", 7],
    ["-3", -3],
    ["2.9", 2],
    ["-2.9", -2],
    ["1e3", 1000],
  ])("reads %j as %d", (s, n) => {
    expect(int(s)).toBe(n);
  });
  it.each(["", "abc", "12abc", "-0.5"])("reads %j as 0, for the API to judge", (s) => {
    expect(Object.is(int(s), 0)).toBe(true);
  });
});
