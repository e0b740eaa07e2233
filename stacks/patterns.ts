/**
 * The rules for values that reach a shell, an env file or YAML, in one place.
 * Each is written in the subset shared by JavaScript and POSIX extended
 * regular expressions (bash `[[ =~ ]]` under LC_ALL=C), because the install
 * script that runs on the box checks the same values again with the same
 * text: its `readonly ..._RE=` lines are tested equal to these.
 */

/** `v<major>.<minor>.<patch>`, no leading zeros: a lantern-box release tag. */
export const RELEASE_TAG_PATTERN = String.raw`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`;

/** An https URL of lowercase host, optional port and plain path segments: no query, fragment, credentials or trailing slash. */
export const HTTPS_URL_PATTERN = String.raw`^https://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]+)*$`;

export const RELEASE_TAG = new RegExp(RELEASE_TAG_PATTERN);
export const HTTPS_URL = new RegExp(HTTPS_URL_PATTERN);
