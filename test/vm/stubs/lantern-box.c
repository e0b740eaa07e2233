/* Stand-in for the lantern-box binary in the real-VM test.
 *
 * Written from the public source of getlantern/lantern-box at v0.0.73, the
 * release the stacks pin (its cmd/, protocol/register.go, context.go and
 * otel/crash.go, the same through v0.0.78, whose other changes the
 * stand-in does not model), and the
 * libraries it builds on at the versions its go.mod names: spf13/cobra
 * v1.10.2, and sing-box as getlantern/sing-box-minimal v1.12.22-lantern
 * (go.mod's replace; read on that repository's lantern-main-v1.12 branch,
 * whose include/registry.go and box.go are cited below), with the build tags
 * of .goreleaser.yaml (with_quic, with_wireguard, with_clash_api, ...).
 * Each behaviour names the file it follows. It is a real ELF, so
 * /proc/<MainPID>/exe is this file and its md5 is the one dpkg records, as
 * for the Go binary. It is static, and the real one is not (CGO_ENABLED=1
 * in .goreleaser.yaml, linked against the build runner's glibc): the test
 * builds it on the host for a guest with another glibc. So it cannot show
 * a release that needs a newer glibc than a route's, which the install
 * script's pre-flight `check` would refuse.
 *
 * What it does NOT have, like the real program: a `version` subcommand or a
 * `--version` flag. cmd/main.go sets cobra's Version from `main.version`,
 * which .goreleaser.yaml never stamps, and cobra adds --version only when
 * Version != "" (cobra command.go). The release is stamped into sing-box's
 * constant.Version (STAMPED_VERSION below), which no command or flag prints;
 * a config enabling experimental.clash_api would serve it at /version
 * (experimental/clashapi/server.go), which the stand-in does not model and
 * the install script does not use.
 *
 * Build variants (stand-ins.sh):
 *   -DVERSION="x.y.z"               required; embedded only
 *   -DCRASH_AFTER_SECONDS=N         `run` dies N s after a successful start
 *                                   (a crashing release)
 *   -DREJECT_INBOUND_TYPE="type"    the inbound registry lacks that type, so
 *                                   `check` and `run` reject configs using it
 *                                   (a release that drops a protocol)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef VERSION
#error "build with -DVERSION=\"x.y.z\""
#endif

/* .goreleaser.yaml: -X github.com/sagernet/sing-box/constant.Version={{ .Version }}:
 * in the binary, printed by no lantern-box command or flag. It also makes
 * every release's binary (and so its md5) different. */
__attribute__((used)) static const char STAMPED_VERSION[] = "sing-box/constant.Version=" VERSION;

/* ------------------------------------------------------------ errors */

/* Errors are built like Go's fmt.Errorf("...: %w") chains into one buffer,
 * then printed by main (cmd/main.go: fmt.Println(err); os.Exit(1)). */
static char err_buf[2048];

static int errorf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err_buf, sizeof err_buf, fmt, ap);
  va_end(ap);
  return -1;
}

/* wrap("prefix"): err = fmt.Errorf("prefix: %w", err) */
static int wrap(const char *fmt, ...) {
  char prefix[512], old[sizeof err_buf];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  snprintf(old, sizeof old, "%s", err_buf);
  snprintf(err_buf, sizeof err_buf, "%.500s: %.1500s", prefix, old);
  return -1;
}

/* Go's syscall.Errno strings are strerror's, lower-cased first letter. */
static const char *go_errno(int e) {
  static char s[128];
  snprintf(s, sizeof s, "%s", strerror(e));
  s[0] = (char)tolower((unsigned char)s[0]);
  return s;
}

/* sing-box's default stderr logger (log.StdLogger) prints "LEVEL[secs] msg". */
static void log_line(const char *level, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s[0000] ", level);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fflush(stderr);
}

/* ------------------------------------------------------------ JSON */

/* A small strict JSON reader: enough of SagerNet/sing common/json (read in
 * getlantern/sing, lantern-box's replace, on its lantern-main-v0.7.13
 * branch) to give the same verdict on the configs we write, and to refuse,
 * as the stand-in's, what it does not follow. */
enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };
struct jnode {
  enum jtype type;
  char *key;      /* member name inside an object */
  size_t key_len; /* its bytes: more than strlen when it holds a \u0000 */
  char *str;      /* J_STR value */
  size_t str_len;
  double num;     /* J_NUM value */
  int uint_lit;   /* J_NUM written as digits only (what strconv.ParseUint takes) */
  struct jnode *child, *next;
};

struct jparser {
  const char *s, *p, *end;
};

static void skip_ws(struct jparser *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

/* sing common/json/unmarshal.go: syntax errors get "row R, column C". */
static int syntax_error(struct jparser *j, const char *what) {
  int row = 1, col = 0;
  const char *q;
  for (q = j->s; q < j->p; q++) {
    if (*q == '\n') { row++; col = 0; } else col++;
  }
  return errorf("%s: row %d, column %d", what, row, col);
}

/* The input ends inside the value: the Decoder (contextjson stream.go
 * readValue) returns io.ErrUnexpectedEOF, which UnmarshalExtendedContext
 * passes on without a position; no value at all is io.EOF. */
static int eof_error(int no_value) {
  return errorf("%s", no_value ? "EOF" : "unexpected EOF");
}

static struct jnode *jnew(enum jtype t) {
  struct jnode *n = calloc(1, sizeof *n);
  if (!n) abort();
  n->type = t;
  return n;
}

static int parse_value(struct jparser *j, struct jnode **out, int depth);

static void put_utf8(char **w, unsigned cp) {
  if (cp < 0x80) *(*w)++ = (char)cp;
  else if (cp < 0x800) { *(*w)++ = (char)(0xc0 | cp >> 6); *(*w)++ = (char)(0x80 | (cp & 0x3f)); }
  else if (cp < 0x10000) { *(*w)++ = (char)(0xe0 | cp >> 12); *(*w)++ = (char)(0x80 | ((cp >> 6) & 0x3f)); *(*w)++ = (char)(0x80 | (cp & 0x3f)); }
  else {
    *(*w)++ = (char)(0xf0 | cp >> 18); *(*w)++ = (char)(0x80 | ((cp >> 12) & 0x3f));
    *(*w)++ = (char)(0x80 | ((cp >> 6) & 0x3f)); *(*w)++ = (char)(0x80 | (cp & 0x3f));
  }
}

/* The length of the UTF-8 sequence at s (n bytes left) as Go's
 * utf8.DecodeRune accepts it (no overlongs, surrogates or > U+10FFFF), or 0. */
static int utf8_seq(const unsigned char *s, size_t n) {
  unsigned char lo = 0x80, hi = 0xbf;
  int len, i;
  if (s[0] >= 0xc2 && s[0] <= 0xdf) len = 2;
  else if (s[0] >= 0xe0 && s[0] <= 0xef) { len = 3; if (s[0] == 0xe0) lo = 0xa0; if (s[0] == 0xed) hi = 0x9f; }
  else if (s[0] >= 0xf0 && s[0] <= 0xf4) { len = 4; if (s[0] == 0xf0) lo = 0x90; if (s[0] == 0xf4) hi = 0x8f; }
  else return 0;
  if (n < (size_t)len || s[1] < lo || s[1] > hi) return 0;
  for (i = 2; i < len; i++)
    if (s[i] < 0x80 || s[i] > 0xbf) return 0;
  return len;
}

/* Four hex digits at p: 0, or -1 (not hex) or -2 (the input ends). */
static int hex4(const char *p, const char *end, unsigned *out) {
  unsigned cp = 0;
  int i;
  for (i = 0; i < 4; i++, p++) {
    if (p >= end) return -2;
    if (!isxdigit((unsigned char)*p)) return -1;
    cp = cp * 16 + (unsigned)(isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
  }
  *out = cp;
  return 0;
}

/* A string literal, unquoted as encoding/json's unquote (contextjson
 * decode.go) does it: a \u surrogate pair makes one rune, any other
 * surrogate and every byte that is not valid UTF-8 become U+FFFD. */
static int parse_string(struct jparser *j, char **out, size_t *len) {
  char *buf, *w;
  j->p++; /* opening quote */
  buf = w = malloc((size_t)(j->end - j->p) * 3 + 1);
  if (!buf) abort();
  while (j->p < j->end && *j->p != '"') {
    unsigned char c = (unsigned char)*j->p++;
    if (c < 0x20) { free(buf); j->p--; return syntax_error(j, "invalid character in string literal"); }
    if (c >= 0x80) {
      int n = utf8_seq((const unsigned char *)j->p - 1, (size_t)(j->end - j->p) + 1);
      if (n == 0) { put_utf8(&w, 0xfffd); continue; }
      memcpy(w, j->p - 1, (size_t)n);
      w += n;
      j->p += n - 1;
      continue;
    }
    if (c != '\\') { *w++ = (char)c; continue; }
    if (j->p >= j->end) break;
    c = (unsigned char)*j->p++;
    switch (c) {
    case '"': case '\\': case '/': *w++ = (char)c; break;
    case 'b': *w++ = '\b'; break;
    case 'f': *w++ = '\f'; break;
    case 'n': *w++ = '\n'; break;
    case 'r': *w++ = '\r'; break;
    case 't': *w++ = '\t'; break;
    case 'u': {
      unsigned cp, lo;
      int r = hex4(j->p, j->end, &cp);
      if (r == -2) { free(buf); return eof_error(0); }
      if (r != 0) { free(buf); while (isxdigit((unsigned char)*j->p)) j->p++; return syntax_error(j, "invalid character in \\u escape"); }
      j->p += 4;
      if (cp >= 0xd800 && cp < 0xe000) {
        if (cp < 0xdc00 && j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' &&
            hex4(j->p + 2, j->end, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          j->p += 6;
        } else {
          cp = 0xfffd;
        }
      }
      put_utf8(&w, cp);
      break;
    }
    default: free(buf); j->p--; return syntax_error(j, "invalid character in string escape code");
    }
  }
  if (j->p >= j->end) { free(buf); return eof_error(0); }
  j->p++; /* closing quote */
  *w = 0;
  *out = buf;
  *len = (size_t)(w - buf);
  return 0;
}

static int parse_container(struct jparser *j, struct jnode *n, char close, int depth) {
  struct jnode **tail = &n->child;
  j->p++;
  skip_ws(j);
  if (j->p < j->end && *j->p == close) { j->p++; return 0; }
  for (;;) {
    char *key = NULL;
    size_t key_len = 0;
    struct jnode *v;
    skip_ws(j);
    if (close == '}') {
      if (j->p >= j->end) return eof_error(0);
      if (*j->p != '"') return syntax_error(j, "invalid character looking for beginning of object key string");
      if (parse_string(j, &key, &key_len)) return -1;
      skip_ws(j);
      if (j->p >= j->end) return eof_error(0);
      if (*j->p != ':') return syntax_error(j, "invalid character after object key");
      j->p++;
    }
    if (parse_value(j, &v, depth + 1)) return -1;
    v->key = key;
    v->key_len = key_len;
    *tail = v;
    tail = &v->next;
    skip_ws(j);
    if (j->p >= j->end) return eof_error(0);
    if (*j->p == ',') { j->p++; continue; }
    if (*j->p == close) { j->p++; return 0; }
    return syntax_error(j, close == '}' ? "invalid character after object key:value pair" : "invalid character after array element");
  }
}

/* A number as the JSON grammar (contextjson scanner.go) has it:
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(struct jparser *j, struct jnode *n) {
  const char *q = j->p, *start = j->p;
  char lit[64];
  n->uint_lit = *q != '-';
  if (*q == '-') q++;
  if (q >= j->end) return eof_error(0);
  if (!isdigit((unsigned char)*q)) { j->p = q; return syntax_error(j, "invalid character in numeric literal"); }
  if (*q == '0') q++;
  else while (q < j->end && isdigit((unsigned char)*q)) q++;
  if (q < j->end && *q == '.') {
    n->uint_lit = 0;
    if (++q >= j->end) return eof_error(0);
    if (!isdigit((unsigned char)*q)) { j->p = q; return syntax_error(j, "invalid character after decimal point in numeric literal"); }
    while (q < j->end && isdigit((unsigned char)*q)) q++;
  }
  if (q < j->end && (*q == 'e' || *q == 'E')) {
    n->uint_lit = 0;
    if (++q < j->end && (*q == '+' || *q == '-')) q++;
    if (q >= j->end) return eof_error(0);
    if (!isdigit((unsigned char)*q)) { j->p = q; return syntax_error(j, "invalid character in exponent of numeric literal"); }
    while (q < j->end && isdigit((unsigned char)*q)) q++;
  }
  j->p = q;
  if ((size_t)(q - start) >= sizeof lit) { n->num = 1e308; return 0; } /* only compared with small bounds */
  memcpy(lit, start, (size_t)(q - start));
  lit[q - start] = 0;
  n->num = strtod(lit, NULL);
  return 0;
}

static int parse_value(struct jparser *j, struct jnode **out, int depth) {
  struct jnode *n;
  skip_ws(j);
  /* encoding/json allows 10000 levels (scanner.go maxNestingDepth) */
  if (depth > 100) return errorf("stand-in: JSON nested more than 100 levels deep is not modelled");
  if (j->p >= j->end) return eof_error(depth == 0);
  switch (*j->p) {
  case '{': n = jnew(J_OBJ); *out = n; return parse_container(j, n, '}', depth);
  case '[': n = jnew(J_ARR); *out = n; return parse_container(j, n, ']', depth);
  case '"': n = jnew(J_STR); *out = n; return parse_string(j, &n->str, &n->str_len);
  case 't': case 'f': case 'n': {
    static const char *const words[] = {"true", "false", "null"};
    size_t left = (size_t)(j->end - j->p);
    int i;
    for (i = 0; i < 3; i++) {
      size_t len = strlen(words[i]);
      if (left >= len && strncmp(j->p, words[i], len) == 0) {
        n = jnew(i == 2 ? J_NULL : J_BOOL);
        n->num = i == 0;
        j->p += len;
        *out = n;
        return 0;
      }
      if (left < len && strncmp(j->p, words[i], left) == 0) return eof_error(0);
    }
    return syntax_error(j, "invalid character in literal");
  }
  default:
    if (*j->p != '-' && !isdigit((unsigned char)*j->p)) return syntax_error(j, "invalid character looking for beginning of value");
    n = jnew(J_NUM);
    *out = n;
    return parse_number(j, n);
  }
}

/* ------------------------------------------------------------ config */

/* sing-box option/options.go: the top-level fields; the decoder runs with
 * DisallowUnknownFields. */
static const char *const TOP_LEVEL_FIELDS[] = {
  "$schema", "log", "dns", "ntp", "certificate", "endpoints", "inbounds",
  "outbounds", "route", "services", "experimental", NULL,
};

/* Inbound registry: sing-box-minimal include/registry.go InboundRegistry
 * (tun, redirect, tproxy, direct, socks, http, mixed, shadowsocks, vmess,
 * trojan, naive, shadowtls, vless, anytls; include/quic.go with_quic:
 * hysteria, tuic, hysteria2; registerStubForRemovedInbounds: shadowsocksr,
 * which parses and then fails in box.New), plus lantern-box v0.0.73
 * protocol/register.go registerInbounds (algeneva, reflex, samizdat, water). */
static const char *const INBOUND_TYPES[] = {
  "tun", "redirect", "tproxy", "direct", "socks", "http", "mixed",
  "shadowsocks", "vmess", "trojan", "naive", "shadowtls", "vless", "anytls",
  "hysteria", "tuic", "hysteria2", "shadowsocksr",
  "algeneva", "reflex", "samizdat", "water", NULL,
};

/* Outbound registry: include/registry.go OutboundRegistry (direct, block,
 * dns, selector, urltest, socks, http, shadowsocks, vmess, trojan, tor, ssh,
 * shadowtls, vless, anytls; with_quic: hysteria, tuic, hysteria2;
 * include/wireguard.go with_wireguard: wireguard; the shadowsocksr stub),
 * plus lantern-box v0.0.73 protocol/register.go registerOutbounds. */
static const char *const OUTBOUND_TYPES[] = {
  "direct", "block", "dns", "selector", "urltest", "socks", "http", "shadowsocks",
  "vmess", "trojan", "tor", "ssh", "shadowtls", "vless", "anytls",
  "hysteria", "tuic", "hysteria2", "wireguard", "shadowsocksr",
  "algeneva", "outline", "reflex", "samizdat", "unbounded", "water",
  "fallback", "mutableselector", "mutableurltest", NULL,
};

/* include/registry.go registerStubForRemovedInbounds/Outbounds: the type
 * parses, and creating it fails with this. */
static const char SHADOWSOCKSR_REMOVED[] = "ShadowsocksR is deprecated and removed in sing-box 1.6.0";

/* sing-box-minimal protocol/shadowsocks/inbound.go newInbound: "none" (no
 * key); the shadowaead.List methods through shadowaead.NewService(method,
 * nil, password); the shadowaead_2022.List methods through
 * shadowaead_2022.NewServiceWithPassword(method, password, ...); anything
 * else is "unsupported method: <m>". Key lengths: SagerNet/sing-shadowsocks
 * shadowaead/protocol.go New and shadowaead_2022/service.go NewService (read
 * at a9d165b, v0.2.6; lantern-box's go.mod names v0.2.8, and the stored
 * later versions of service.go have the same NewServiceWithPassword and
 * NewService checks). */
enum ss_kind { SS_NONE, SS_AEAD, SS_2022 };
static const struct ss_method {
  const char *name;
  enum ss_kind kind;
  size_t key_len;
} SHADOWSOCKS_METHODS[] = {
  {"none", SS_NONE, 0},
  {"aes-128-gcm", SS_AEAD, 16},
  {"aes-192-gcm", SS_AEAD, 24},
  {"aes-256-gcm", SS_AEAD, 32},
  {"chacha20-ietf-poly1305", SS_AEAD, 32},
  {"xchacha20-ietf-poly1305", SS_AEAD, 32},
  {"2022-blake3-aes-128-gcm", SS_2022, 16},
  {"2022-blake3-aes-256-gcm", SS_2022, 32},
  {"2022-blake3-chacha20-poly1305", SS_2022, 32},
  {NULL, SS_NONE, 0},
};

/* sing-box-minimal log/level.go ParseLevel: the names in Level order
 * (LevelPanic 0 .. LevelTrace 6); "warning" is also warn. */
static const char *const LOG_LEVELS[] = {"panic", "fatal", "error", "warn", "info", "debug", "trace", NULL};
enum { LEVEL_WARN = 3, LEVEL_INFO = 4, LEVEL_TRACE = 6 };

static int log_level_index(const char *name) {
  int i;
  if (strcmp(name, "warning") == 0) return LEVEL_WARN;
  for (i = 0; LOG_LEVELS[i]; i++)
    if (strcmp(LOG_LEVELS[i], name) == 0) return i;
  return -1;
}

static int in_list(const char *const *list, const char *s) {
  for (; *list; list++)
    if (strcmp(*list, s) == 0) return 1;
  return 0;
}

static int inbound_registered(const char *type) {
#ifdef REJECT_INBOUND_TYPE
  if (strcmp(type, REJECT_INBOUND_TYPE) == 0) return 0;
#endif
  return in_list(INBOUND_TYPES, type);
}

struct inbound {
  const char *type, *tag, *method, *password; /* tag "": none given */
  size_t password_len;
  char addr[64];
  int port; /* 0: does not listen */
};

struct config {
  const char *log_level; /* NULL: no log.level */
  struct inbound inbounds[16];
  int n_inbounds;
  const char **outbound_tags;
  int n_outbounds;
  int shadowsocksr_outbound; /* index of the first shadowsocksr outbound, or -1 */
};

/* The stand-in's own refusal: what it does not model, which the real
 * program may well accept. */
static int not_modelled(const char *fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return errorf("stand-in: %s is not modelled", what);
}

/* readConfig wraps the decoder's errors "parsing config file"; the
 * stand-in's own refusals stay as they are. */
static int parse_error(void) {
  return strncmp(err_buf, "stand-in: ", 10) == 0 ? -1 : wrap("parsing config file");
}

/* A member the stand-in can follow: its name holds no \u0000 and is not
 * repeated (encoding/json would decode a repeated member again, over the
 * first). */
static int member_ok(const struct jnode *obj, const struct jnode *m, const char *path) {
  const struct jnode *k;
  if (strlen(m->key) != m->key_len) return not_modelled("a member name with a NUL character in %s", path);
  for (k = obj->child; k != m; k = k->next)
    if (strcmp(k->key, m->key) == 0) return not_modelled("%s.%s given twice", path, m->key);
  return 0;
}

/* A string value the stand-in can follow (no \u0000 in it). */
static int is_string(const struct jnode *v) {
  return v->type == J_STR && strlen(v->str) == v->str_len;
}

/* encoding/json matches member names to fields case-insensitively, with
 * Unicode folding (contextjson decode.go object, fold.go): a name that is
 * not a field exactly but may fold to one is the stand-in's to refuse. */
static int may_fold_to(const char *const *fields, const char *key) {
  const char *p;
  for (p = key; *p; p++)
    if ((unsigned char)*p >= 0x80) return 1;
  for (; *fields; fields++)
    if (strcasecmp(*fields, key) == 0) return 1;
  return 0;
}

/* fmt's %q of an ASCII member name (strconv.Quote). */
static void go_quote(char *out, size_t cap, const char *s) {
  char *w = out, *end = out + cap - 6;
  *w++ = '"';
  for (; *s && w < end; s++) {
    unsigned char c = (unsigned char)*s;
    const char *e = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\a' ? "\\a" : c == '\b' ? "\\b" :
                    c == '\f' ? "\\f" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" :
                    c == '\v' ? "\\v" : NULL;
    if (e) { memcpy(w, e, 2); w += 2; }
    else if (c < 0x20 || c == 0x7f) w += sprintf(w, "\\x%02x", c);
    else *w++ = (char)c;
  }
  *w++ = '"';
  *w = 0;
}

/* sing common/json/comment.go: UnmarshalExtendedContext reads the file
 * through a CommentFilter, which outside double-quoted strings takes '#',
 * "//" and "/ *" comments, backslash escapes and single-quoted runs. None of
 * these is JSON; the stand-in refuses them rather than follow the filter. */
static int uses_comment_filter(const char *s, const char *end) {
  int in_string = 0;
  for (; s < end; s++) {
    if (in_string) {
      if (*s == '\\' && s + 1 < end) s++;
      else if (*s == '"') in_string = 0;
    } else if (*s == '"') {
      in_string = 1;
    } else if (*s == '#' || *s == '/' || *s == '\\' || *s == '\'') {
      return 1;
    }
  }
  return 0;
}

/* badoption.Addr (sing common/json/badoption/netip.go) is netip.ParseAddr:
 * the stand-in takes the addresses inet_pton(3) reads, which netip also
 * reads (not zones, say, which the stand-in refuses). */
static int listen_addr(const struct jnode *v, char *out, size_t cap) {
  unsigned char buf[16];
  if (!is_string(v) || v->str_len >= cap) return -1;
  if (inet_pton(strchr(v->str, ':') ? AF_INET6 : AF_INET, v->str, buf) != 1) return -1;
  snprintf(out, cap, "%s", v->str);
  return 0;
}

/* option/inbound.go and option/outbound.go UnmarshalJSONContext: "type"
 * and "tag" are decoded first (type and tag case variants and repeats would
 * make the stand-in's reading of them differ, so they are refused here). */
static int type_and_tag(const struct jnode *e, const char *path, const struct jnode **type, const struct jnode **tag) {
  const struct jnode *m;
  *type = *tag = NULL;
  if (e->type != J_OBJ) return not_modelled("%s other than an object", path);
  for (m = e->child; m; m = m->next) {
    if (strcasecmp(m->key, "type") != 0 && strcasecmp(m->key, "tag") != 0) continue;
    if (member_ok(e, m, path) != 0) return -1;
    if (strcmp(m->key, "type") == 0) *type = m;
    else if (strcmp(m->key, "tag") == 0) *tag = m;
    else return not_modelled("%s.%s", path, m->key);
  }
  if (*type && !is_string(*type)) return not_modelled("%s.type other than a string", path);
  if (*tag && !is_string(*tag)) return not_modelled("%s.tag other than a string", path);
  return 0;
}

/* option/inbound.go Inbound.UnmarshalJSONContext: type and tag, then
 * registry.CreateOptions(type) or "unknown inbound type: <type>", then the
 * other members into the type's options by badjson.UnmarshallExcludedContext
 * (sing common/json/badjson/merge_objects.go), which decodes them with
 * UnmarshalContextDisallowUnknownFields. The decoder prefixes the path
 * (sing common/json/internal/contextjson/decode_context.go). The stand-in
 * models shadowsocks (and shadowsocksr, whose stub takes the same
 * option.ShadowsocksInboundOptions, include/registry.go) with the members
 * listen and listen_port (option/inbound.go ListenOptions: *badoption.Addr,
 * uint16), method and password (option/shadowsocks.go: strings); every
 * other type and member is refused as the stand-in's, known to the real
 * program or not. */
static int read_inbound(const struct jnode *e, int i, struct config *cfg) {
  const struct jnode *m, *type, *tag;
  const char *name;
  struct inbound *in;
  char path[32];
  snprintf(path, sizeof path, "inbounds[%d]", i);
  if (type_and_tag(e, path, &type, &tag) != 0) return -1;
  name = type ? type->str : "";
  if (!inbound_registered(name)) { errorf("%s: unknown inbound type: %s", path, name); return wrap("parsing config file"); }
  if (cfg->n_inbounds == 16) return errorf("stand-in: more than 16 inbounds are not modelled");
  if (strcmp(name, "shadowsocks") != 0 && strcmp(name, "shadowsocksr") != 0) return not_modelled("%s.type %s", path, name);
  in = &cfg->inbounds[cfg->n_inbounds++];
  in->type = name;
  in->tag = tag ? tag->str : "";
  in->method = in->password = ""; /* read_config zeroed the rest */
  /* common/listener/listener_tcp.go: Listen.Build(127.0.0.1): no
   * "listen" means loopback only. */
  snprintf(in->addr, sizeof in->addr, "127.0.0.1");
  for (m = e->child; m; m = m->next) {
    if (m == type || m == tag) continue;
    if (member_ok(e, m, path) != 0) return -1;
    if (strcmp(m->key, "listen") == 0) {
      if (listen_addr(m, in->addr, sizeof in->addr) != 0) return not_modelled("%s.listen other than an IP address inet_pton(3) reads", path);
    } else if (strcmp(m->key, "listen_port") == 0) {
      /* uint16 from a number literal: strconv.ParseUint, then overflow */
      if (m->type != J_NUM || !m->uint_lit || m->num > 65535) return not_modelled("%s.listen_port other than an integer 0..65535", path);
      in->port = (int)m->num;
    } else if (strcmp(m->key, "method") == 0 || strcmp(m->key, "password") == 0) {
      if (!is_string(m)) return not_modelled("%s.%s other than a string", path, m->key);
      if (m->key[0] == 'm') in->method = m->str;
      else { in->password = m->str; in->password_len = m->str_len; }
    } else {
      return not_modelled("%s.%s", path, m->key);
    }
  }
  return 0;
}

/* option/outbound.go Outbound.UnmarshalJSONContext, as for inbounds. The
 * stand-in models the types whose options may all be left out and whose
 * constructor then succeeds, with type and tag only: direct
 * (protocol/direct/outbound.go), block (protocol/block/outbound.go) and dns
 * (protocol/dns/outbound.go; its deprecation report needs a
 * deprecated.Manager, which lantern-box's context has none of), and the
 * shadowsocksr stub (fails in box.New). */
static int read_outbound(const struct jnode *e, int i, struct config *cfg) {
  static const char *const MODELLED[] = {"direct", "block", "dns", "shadowsocksr", NULL};
  const struct jnode *m, *type, *tag;
  const char *name;
  char path[32];
  snprintf(path, sizeof path, "outbounds[%d]", i);
  if (type_and_tag(e, path, &type, &tag) != 0) return -1;
  name = type ? type->str : "";
  if (!in_list(OUTBOUND_TYPES, name)) { errorf("%s: unknown outbound type: %s", path, name); return wrap("parsing config file"); }
  if (!in_list(MODELLED, name)) return not_modelled("%s.type %s", path, name);
  for (m = e->child; m; m = m->next) {
    if (m == type || m == tag) continue;
    if (member_ok(e, m, path) != 0) return -1;
    return not_modelled("%s.%s", path, m->key);
  }
  if (strcmp(name, "shadowsocksr") == 0 && cfg->shadowsocksr_outbound < 0) cfg->shadowsocksr_outbound = i;
  cfg->outbound_tags = realloc(cfg->outbound_tags, sizeof *cfg->outbound_tags * (size_t)(cfg->n_outbounds + 1));
  if (!cfg->outbound_tags) abort();
  cfg->outbound_tags[cfg->n_outbounds++] = tag ? tag->str : "";
  return 0;
}

/* option/options.go LogOptions: the stand-in models "level" (a string)
 * only; its value is checked in box.New (new_box). */
static int read_log(const struct jnode *v, struct config *cfg) {
  const struct jnode *m;
  if (v->type != J_OBJ) return not_modelled("log other than an object");
  for (m = v->child; m; m = m->next) {
    if (member_ok(v, m, "log") != 0) return -1;
    if (strcmp(m->key, "level") != 0) return not_modelled("log.%s", m->key);
    if (!is_string(m)) return not_modelled("log.level other than a string");
    cfg->log_level = m->str;
  }
  return 0;
}

/* cmd/cmd_run.go readConfig: os.ReadFile, then sing's
 * json.UnmarshalExtendedContext[option.Options] with the registries of
 * box.BaseContext (context.go). Errors: "reading config file: ...",
 * "parsing config file: ...". option/options.go decodes the members in
 * order with DisallowUnknownFields; the first error is the one returned
 * (contextjson decode.go saveError), an unknown top-level one as
 * "<name>: json: unknown field \"<name>\"" (its path, then fmt's %q), then
 * checkOptions looks for duplicate tags. The stand-in models log, inbounds
 * and outbounds, and refuses the other known members as its own. */
static int read_config(const char *path, struct config *cfg) {
  FILE *f;
  char *buf;
  long size;
  struct jparser j;
  struct jnode *root;
  const struct jnode *m, *e;
  int i, k;

  memset(cfg, 0, sizeof *cfg);
  cfg->shadowsocksr_outbound = -1;
  f = fopen(path, "r");
  if (!f) return errorf("reading config file: open %s: %s", path, go_errno(errno));
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  rewind(f);
  buf = malloc((size_t)size + 1);
  if (!buf) abort();
  if (fread(buf, 1, (size_t)size, f) != (size_t)size) { fclose(f); return errorf("reading config file: read %s: i/o error", path); }
  fclose(f);
  buf[size] = 0;

  if (uses_comment_filter(buf, buf + size))
    return errorf("stand-in: comments, backslashes and single quotes outside strings are not modelled");
  j.s = j.p = buf;
  j.end = buf + size;
  if (parse_value(&j, &root, 0)) return parse_error();
  /* What follows the value is never read: the Decoder stops at its end
   * (contextjson stream.go readValue). */
  if (root->type == J_ARR) { errorf("json: cannot unmarshal array into Go value of type option._Options"); return wrap("parsing config file"); }
  if (root->type != J_OBJ) return errorf("stand-in: a config other than a JSON object or array is not modelled");

  for (m = root->child; m; m = m->next) {
    if (member_ok(root, m, "the config") != 0) return -1;
    if (strcmp(m->key, "inbounds") == 0) {
      if (m->type != J_ARR) return not_modelled("inbounds other than an array");
      for (i = 0, e = m->child; e; e = e->next, i++)
        if (read_inbound(e, i, cfg) != 0) return -1;
    } else if (strcmp(m->key, "outbounds") == 0) {
      if (m->type != J_ARR) return not_modelled("outbounds other than an array");
      for (i = 0, e = m->child; e; e = e->next, i++)
        if (read_outbound(e, i, cfg) != 0) return -1;
    } else if (strcmp(m->key, "log") == 0) {
      if (read_log(m, cfg) != 0) return -1;
    } else if (in_list(TOP_LEVEL_FIELDS, m->key) || may_fold_to(TOP_LEVEL_FIELDS, m->key) || m->key_len > 200) {
      return not_modelled("%s", m->key);
    } else {
      char quoted[1024];
      go_quote(quoted, sizeof quoted, m->key);
      errorf("%s: json: unknown field %s", m->key, quoted);
      return wrap("parsing config file");
    }
  }

  /* option/options.go checkOptions: tags that are not empty are unique,
   * among inbounds, then among outbounds (and endpoints, not modelled). */
  for (i = 0; i < cfg->n_inbounds; i++)
    for (k = 0; cfg->inbounds[i].tag[0] && k < i; k++)
      if (strcmp(cfg->inbounds[k].tag, cfg->inbounds[i].tag) == 0) {
        errorf("duplicate inbound tag: %s", cfg->inbounds[i].tag);
        return wrap("parsing config file");
      }
  for (i = 0; i < cfg->n_outbounds; i++)
    for (k = 0; cfg->outbound_tags[i][0] && k < i; k++)
      if (strcmp(cfg->outbound_tags[k], cfg->outbound_tags[i]) == 0) {
        errorf("duplicate outbound/endpoint tag: %s", cfg->outbound_tags[i]);
        return wrap("parsing config file");
      }
  return 0;
}

/* Go's base64.StdEncoding.DecodeString (golang/go
 * src/encoding/base64/base64.go Decode and decodeQuantum, read at 10a01cd):
 * the decoded length, or the offset of CorruptInputError ("illegal base64
 * data at input byte <n>"). '\r' and '\n' are skipped anywhere, padding is
 * required, trailing bits need not be zero (StdEncoding is not Strict). The
 * fast paths of Decode only take 4 or 8 valid bytes at a time and fall back
 * to decodeQuantum at the same offset, so this loop gives the same result. */
static int go_base64_std_decode(const char *src, size_t len, size_t *n_out, size_t *bad) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t si = 0, n = 0;
  while (si < len) {
    int j, dlen = 4;
    for (j = 0; j < 4; j++) {
      char in;
      if (si == len) {
        if (j == 0) { *n_out = n; return 0; }
        *bad = si - (size_t)j; /* j == 1, or padding is required */
        return -1;
      }
      in = src[si++];
      if (in && strchr(alphabet, in)) continue;
      if (in == '\n' || in == '\r') { j--; continue; }
      if (in != '=') { *bad = si - 1; return -1; }
      if (j < 2) { *bad = si - 1; return -1; } /* incorrect padding */
      if (j == 2) { /* "==" is expected */
        while (si < len && (src[si] == '\n' || src[si] == '\r')) si++;
        if (si == len) { *bad = len; return -1; }
        if (src[si] != '=') { *bad = si - 1; return -1; }
        si++;
      }
      while (si < len && (src[si] == '\n' || src[si] == '\r')) si++;
      if (si < len) { *bad = si; return -1; } /* trailing garbage */
      dlen = j;
      break;
    }
    n += (size_t)dlen - 1;
  }
  *n_out = n;
  return 0;
}

/* protocol/shadowsocks/inbound.go newInbound with one password (no users,
 * destinations or managed: not modelled). shadowaead.New: no password is
 * shadowsocks.ErrMissingPassword ("missing password", shadowsocks.go),
 * else the key is derived from it. NewServiceWithPassword: no password is
 * ErrMissingPSK ("missing psk", shadowaead_2022/protocol.go), then
 * base64.StdEncoding.DecodeString, its error wrapped
 * E.Cause(err, "decode psk"); NewService: a key shorter than the method's
 * is shadowsocks.ErrBadKey ("bad key"), a longer one is hashed down. */
static int new_shadowsocks(const struct inbound *in) {
  const struct ss_method *sm;
  size_t n, bad;
  for (sm = SHADOWSOCKS_METHODS; sm->name && strcmp(sm->name, in->method) != 0; sm++) {}
  if (!sm->name) return errorf("unsupported method: %s", in->method);
  switch (sm->kind) {
  case SS_NONE:
    return 0;
  case SS_AEAD:
    return in->password_len == 0 ? errorf("missing password") : 0;
  case SS_2022:
    if (in->password_len == 0) return errorf("missing psk");
    if (go_base64_std_decode(in->password, in->password_len, &n, &bad) != 0)
      return errorf("decode psk: illegal base64 data at input byte %zu", bad);
    return n < sm->key_len ? errorf("bad key") : 0;
  }
  return 0;
}

/* box.New (sing-box-minimal box.go): creates the log factory (log/log.go
 * New: a log.level other than "" goes through ParseLevel, "unknown log
 * level: <l>" wrapped "parse log level", and box.go wraps that "create log
 * factory"), then builds every inbound, then every outbound, without
 * listening; errors are "initialize inbound[i]: ..." and
 * "initialize outbound[i]: ...". Modelled: the shadowsocks method and
 * password (new_shadowsocks) and the removed ShadowsocksR. */
/* The configured level's index, LEVEL_TRACE without one (log/level.go: "" is trace), -1 unknown. */
static int config_level(const struct config *cfg) {
  return cfg->log_level && cfg->log_level[0] ? log_level_index(cfg->log_level) : LEVEL_TRACE;
}

static int new_box(const struct config *cfg) {
  int i;
  if (config_level(cfg) < 0)
    return errorf("create log factory: parse log level: unknown log level: %s", cfg->log_level);
  for (i = 0; i < cfg->n_inbounds; i++) {
    if (strcmp(cfg->inbounds[i].type, "shadowsocksr") == 0)
      return errorf("initialize inbound[%d]: %s", i, SHADOWSOCKSR_REMOVED);
    if (new_shadowsocks(&cfg->inbounds[i]) != 0) return wrap("initialize inbound[%d]", i);
  }
  if (cfg->shadowsocksr_outbound >= 0)
    return errorf("initialize outbound[%d]: %s", cfg->shadowsocksr_outbound, SHADOWSOCKSR_REMOVED);
  return 0;
}

/* cmd/cmd_check.go check(): readConfig, then box.New and Close (nothing
 * listens); errors unwrapped. */
static int check(const char *path) {
  struct config cfg;
  if (read_config(path, &cfg) != 0) return -1;
  return new_box(&cfg);
}

/* ------------------------------------------------------------ run */

static int listeners[32], n_listeners; /* a TCP and a UDP socket per inbound */
static volatile sig_atomic_t got_signal;

static void on_signal(int sig) { got_signal = sig; }

/* One listener of an inbound (common/listener/listener.go Start: TCP, then
 * UDP, each failure ending Start). The network in Go's error is sing's
 * M.NetworkFromNetAddr (common/metadata/network.go in SagerNet/sing): "tcp4"
 * or "udp4" for 0.0.0.0, else "tcp" or "udp"; ListenConfig.Listen sets
 * SO_REUSEADDR on a stream socket only (Go net/sockopt_linux.go,
 * setDefaultListenerSockopts). Logs "<proto> server started at <addr>"
 * (listener_tcp.go, listener_udp.go). */
static int listen_on(const struct inbound *l, const char *tag, int stream, int level) {
  const char *proto = stream ? "tcp" : "udp";
  const int v6 = strchr(l->addr, ':') != NULL;
  char network[8], shown[80];
  struct sockaddr_in6 a6;
  struct sockaddr_in a4;
  int fd, one = 1, zero = 0, bound;
  snprintf(network, sizeof network, "%s%s", proto, strcmp(l->addr, "0.0.0.0") == 0 ? "4" : "");
  snprintf(shown, sizeof shown, v6 ? "[%s]:%d" : "%s:%d", l->addr, l->port);
  fd = socket(v6 ? AF_INET6 : AF_INET, (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  if (fd < 0) return errorf("start inbound/%s[%s]: listen %s %s: socket: %s", l->type, tag, network, shown, go_errno(errno));
  if (stream) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  /* read_inbound took the address with inet_pton, so these parse. */
  if (v6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    memset(&a6, 0, sizeof a6);
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons((unsigned short)l->port);
    inet_pton(AF_INET6, l->addr, &a6.sin6_addr);
    bound = bind(fd, (struct sockaddr *)&a6, sizeof a6);
  } else {
    memset(&a4, 0, sizeof a4);
    a4.sin_family = AF_INET;
    a4.sin_port = htons((unsigned short)l->port);
    inet_pton(AF_INET, l->addr, &a4.sin_addr);
    bound = bind(fd, (struct sockaddr *)&a4, sizeof a4);
  }
  if (bound != 0 || (stream && listen(fd, 128) != 0)) {
    int e = errno;
    close(fd);
    return errorf("start inbound/%s[%s]: listen %s %s: bind: %s", l->type, tag, network, shown, go_errno(e));
  }
  listeners[n_listeners++] = fd;
  if (level >= LEVEL_INFO) log_line("INFO", "inbound/%s[%s]: %s server started at %s", l->type, tag, proto, shown);
  return 0;
}

/* Instance.Start: every inbound listens on TCP and UDP, its `network`
 * unset (option/types.go NetworkList.Build: both; the stand-in refuses a
 * `network` member); errors as adapter/inbound/manager.go names them
 * ("start inbound/<type>[<tag>]"). The "server started" lines are the
 * inbound's logger's Info, which the log factory prints at levels info,
 * debug and trace (no log.level: trace). */
static int start(const struct config *cfg) {
  const int level = config_level(cfg);
  int i;
  for (i = 0; i < cfg->n_inbounds; i++) {
    const struct inbound *l = &cfg->inbounds[i];
    char index[16]; /* box.go names an inbound without a tag by its index: inbounds[i] is config index i */
    const char *tag = l->tag[0] ? l->tag : (snprintf(index, sizeof index, "%d", i), index);
    if (l->port == 0) continue;
    if (listen_on(l, tag, 1, level) != 0 || listen_on(l, tag, 0, level) != 0) return -1;
  }
  return 0;
}

static void close_instance(void) {
  while (n_listeners > 0) close(listeners[--n_listeners]);
}

static char crash_log_path[4096];

/* cmd/cmd_run.go create(): readConfig ("read config: ..."), box.New
 * ("create service: ..."), Start ("start service: ..."). */
static int create(const char *path) {
  struct config cfg;
  if (read_config(path, &cfg) != 0) return wrap("read config");
  if (new_box(&cfg) != 0) return wrap("create service");
  if (start(&cfg) != 0) {
    close_instance();
    return wrap("start service");
  }
  return 0;
}

/* cmd/cmd_run.go run(): SIGINT/SIGTERM close the instance and return nil
 * (exit 0); SIGHUP runs check() and, if it passes, closes and re-creates
 * the instance; a failed check is logged and the old instance keeps
 * running. */
static int run(const char *path) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  sigaction(SIGALRM, &sa, NULL);
  log_line("INFO", "build info: version , commit "); /* main.version and main.commit are never stamped */
  for (;;) {
    if (create(path) != 0) return -1;
#ifdef CRASH_AFTER_SECONDS
    alarm(CRASH_AFTER_SECONDS);
#endif
    for (;;) {
      while (!got_signal) pause();
      if (got_signal == SIGALRM) {
        /* A Go runtime panic: exit status 2, the trace on stderr and, via
         * debug.SetCrashOutput (otel/crash.go), in crash.log. */
        const char *msg = "panic: lantern-box stand-in: crash release " VERSION "\n\ngoroutine 1 [running]:\nmain.run()\n";
        int fd = open(crash_log_path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd >= 0) { (void)!write(fd, msg, strlen(msg)); close(fd); }
        fputs(msg, stderr);
        _exit(2);
      }
      log_line("INFO", "received signal: %s", got_signal == SIGHUP ? "hangup" : got_signal == SIGINT ? "interrupt" : "terminated");
      if (got_signal == SIGHUP) {
        got_signal = 0;
        if (check(path) != 0) {
          log_line("ERROR", "reload service: %s", err_buf);
          continue;
        }
        close_instance();
        break;
      }
      close_instance();
      return 0;
    }
    got_signal = 0;
  }
}

/* ------------------------------------------------------------ wg-peers */

/* cmd/cmd_wg_peer.go sendReq: the WireGuard UAPI socket. The reply is read
 * line by line up to a blank line, which is not part of it; the socket
 * closing before that is "reading from socket: EOF". */
static int wg_request(const char *sock, const char *req, char *resp, size_t cap) {
  struct sockaddr_un a;
  int fd;
  ssize_t n;
  size_t got = 0;
  char *end = NULL;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    int e = errno;
    if (fd >= 0) close(fd);
    return errorf("dialing socket: dial unix %s: connect: %s", sock, go_errno(e));
  }
  if (write(fd, req, strlen(req)) < 0) { close(fd); return errorf("writing to socket: %s", go_errno(errno)); }
  resp[0] = 0;
  for (;;) {
    if (resp[0] == '\n') { end = resp; break; }
    if ((end = strstr(resp, "\n\n")) != NULL) { end++; break; }
    if (got + 1 >= cap) { close(fd); return errorf("stand-in: a reply longer than %zu bytes is not modelled", cap - 1); }
    if ((n = read(fd, resp + got, cap - 1 - got)) <= 0) break;
    got += (size_t)n;
    resp[got] = 0;
  }
  close(fd);
  if (!end) return errorf("reading from socket: EOF");
  *end = 0;
  return 0;
}

/* cmd/cmd_wg_peer.go printPeers: the reply from its first public_key,
 * trimmed, one block per peer between separator lines. */
static void print_peers(const char *s) {
  static const char sep[] = "--------------------------------";
  char buf[8192], *p, *next;
  size_t len;
  snprintf(buf, sizeof buf, "%s", s);
  len = strlen(buf);
  while (len > 0 && isspace((unsigned char)buf[len - 1])) buf[--len] = 0;
  printf("%s\n", sep);
  for (p = buf;; p = next) {
    next = strstr(p + 1, "public_key");
    if (!next) { printf("%s", p); break; }
    printf("%.*s\n%s\n", (int)(next - p), p, sep);
  }
  printf("\n\n");
}

/* Go's base64.StdEncoding.DecodeString into hex (cmd/cmd_wg_peer.go
 * keyToHex); a bad byte is "illegal base64 data at input byte <i>". */
static int base64_to_hex(const char *s, char *hex, size_t cap) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t len = strlen(s), i, out = 0;
  unsigned bits = 0, nbits = 0;
  for (i = 0; i < len; i++) {
    const char *p = s[i] ? strchr(alphabet, s[i]) : NULL;
    if (s[i] == '=' && len % 4 == 0 && (i == len - 1 || (i == len - 2 && s[len - 1] == '='))) break;
    if (!p) return errorf("decoding public key: illegal base64 data at input byte %zu", i);
    bits = (bits << 6) | (unsigned)(p - alphabet);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      if (out + 3 > cap) return errorf("stand-in: key too long");
      snprintf(hex + out, 3, "%02x", (bits >> nbits) & 0xff);
      out += 2;
    }
  }
  if (len % 4 != 0) return errorf("decoding public key: illegal base64 data at input byte %zu", len - len % 4);
  hex[out] = 0;
  return 0;
}

/* net.ParseCIDR: an IPv4 or IPv6 address (no zone), "/", a prefix length
 * within the address's bits; else "invalid CIDR address: <s>". */
static int parse_cidr(const char *s) {
  char addr[64], *slash, *endp;
  unsigned char buf[16];
  long bits;
  int v6;
  if (strlen(s) >= sizeof addr || !(slash = strchr(s, '/'))) return -1;
  snprintf(addr, sizeof addr, "%.*s", (int)(slash - s), s);
  v6 = strchr(addr, ':') != NULL;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, buf) != 1) return -1;
  if (!isdigit((unsigned char)slash[1])) return -1;
  bits = strtol(slash + 1, &endp, 10);
  return *endp || bits > (v6 ? 128 : 32) ? -1 : 0;
}

/* ------------------------------------------------------------ cobra CLI */

static void help_root(void) {
  /* cobra's default help of the root command (cmd/main.go rootCmd). */
  printf("Usage:\n  lantern-box [command]\n\nAvailable Commands:\n"
         "  check       Check configuration\n"
         "  help        Help about any command\n"
         "  run         Run service\n"
         "  wg-peers    Manage WireGuard peers\n\n"
         "Flags:\n  -h, --help   help for lantern-box\n\n"
         "Use \"lantern-box [command] --help\" for more information about a command.\n");
}

static void help_cmd(const char *path, const char *short_desc, const char *flags) {
  printf("%s\n\nUsage:\n  lantern-box %s [flags]\n\nFlags:\n%s  -h, --help   help for %s\n", short_desc, path, flags, path);
}

/* cobra args.go legacyArgs / command.go findSuggestions: prefix or
 * Levenshtein distance <= 2 among the available commands. */
static int levenshtein(const char *a, const char *b) {
  int la = (int)strlen(a), lb = (int)strlen(b), i, k, d[64][64];
  if (la > 63 || lb > 63) return 99;
  for (i = 0; i <= la; i++) d[i][0] = i;
  for (k = 0; k <= lb; k++) d[0][k] = k;
  for (i = 1; i <= la; i++)
    for (k = 1; k <= lb; k++) {
      int c = d[i - 1][k - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[k - 1]));
      if (d[i - 1][k] + 1 < c) c = d[i - 1][k] + 1;
      if (d[i][k - 1] + 1 < c) c = d[i][k - 1] + 1;
      d[i][k] = c;
    }
  return d[la][lb];
}

static int unknown_command(const char *arg) {
  static const char *const cmds[] = {"check", "run", "wg-peers", NULL};
  char sugg[256] = "";
  const char *const *c;
  for (c = cmds; *c; c++)
    if (levenshtein(arg, *c) <= 2 || strncasecmp(*c, arg, strlen(arg)) == 0) {
      if (!sugg[0]) strcat(sugg, "\n\nDid you mean this?\n");
      strcat(sugg, "\t");
      strcat(sugg, *c);
      strcat(sugg, "\n");
    }
  return errorf("unknown command \"%s\" for \"lantern-box\"%s", arg, sugg);
}

struct flag {
  const char *name;
  const char *value; /* default, then the parsed value */
  int set;
};

/* pflag parsing of one subcommand's flags: --name value, --name=value,
 * -h/--help; "unknown flag: --x", "flag needs an argument: --x". Returns 1
 * for help, 0 on success, -1 on error. */
static int parse_flags(int argc, char **argv, struct flag *flags) {
  int i;
  for (i = 0; i < argc; i++) {
    const char *a = argv[i], *eq;
    struct flag *f;
    size_t len;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) return 1;
    if (strcmp(a, "--") == 0) return 0;
    if (strncmp(a, "--", 2) != 0) {
      if (a[0] == '-' && a[1]) return errorf("unknown shorthand flag: '%c' in %s", a[1], a);
      continue; /* positional: subcommands accept arbitrary args (legacyArgs) */
    }
    eq = strchr(a, '=');
    len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    for (f = flags; f->name; f++)
      if (strlen(f->name) == len && strncmp(f->name, a + 2, len) == 0) break;
    if (!f->name) return errorf("unknown flag: --%.*s", (int)len, a + 2);
    if (!eq && i + 1 >= argc) return errorf("flag needs an argument: --%s", f->name);
    if (f->set && strcmp(f->name, "allowed-ips") == 0) {
      /* pflag StringSlice: the first use replaces the default, later ones append. */
      static char slice[1024];
      char joined[1024];
      snprintf(joined, sizeof joined, "%s,%s", f->value, eq ? eq + 1 : argv[i + 1]);
      snprintf(slice, sizeof slice, "%s", joined);
      f->value = slice;
      if (!eq) i++;
    } else {
      f->value = eq ? eq + 1 : argv[++i];
    }
    f->set = 1;
  }
  return 0;
}

static const char *flag_value(const struct flag *flags, const char *name) {
  for (; flags->name; flags++)
    if (strcmp(flags->name, name) == 0) return flags->value;
  return NULL;
}

/* Bytes of the UTF-8 white space (Go's unicode.IsSpace: ASCII \t \n \v \f
 * \r and space, U+0085, U+00A0, and Unicode's White_Space above Latin-1:
 * U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000) at p, or 0. */
static size_t space_at(const unsigned char *p, size_t left) {
  if (left >= 1 && p[0] && strchr(" \t\n\v\f\r", p[0])) return 1;
  if (left >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0)) return 2;
  if (left < 3) return 0;
  if (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80) return 3;
  if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] <= 0x8a || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf) && p[2] >= 0x80) return 3;
  if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f) return 3;
  if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) return 3;
  return 0;
}

/* otel/crash.go ReportPreviousCrash: the first 1 MiB (maxCrashLogSize) of
 * crash.log is a crash when anything is left after strings.TrimSpace, that
 * is when any of it is not white space (space_at). Sending the report (up
 * to 10 s, over OTLP) is not modelled. */
static int crash_log_has_text(const char *path) {
  static unsigned char data[1 << 20];
  FILE *f = fopen(path, "rb");
  size_t n, i, w;
  if (!f) return 0;
  n = fread(data, 1, sizeof data, f);
  fclose(f);
  for (i = 0; i < n; i += w)
    if ((w = space_at(data + i, n - i)) == 0) return 1;
  return 0;
}

/* cmd/main.go preRun (PersistentPreRun of every runnable command): logs,
 * then, when the command has a --config flag, ReportPreviousCrash and
 * SetupCrashOutput (otel/crash.go) on crash.log next to the config file
 * (O_CREATE|O_TRUNC, 0600). */
static void pre_run(const struct flag *flags, int has_proxy_info) {
  const char *config = flag_value(flags, "config");
  int fd;
  if (!getenv("OTEL_EXPORTER_OTLP_ENDPOINT") && !getenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") &&
      !getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
    log_line("INFO", "telemetry disabled (set OTEL_EXPORTER_OTLP_ENDPOINT to enable)");
  if (!has_proxy_info || !flag_value(flags, "proxy-info")[0])
    log_line("INFO", "no proxy-info path provided, skipping attribute addition");
  if (!config || !config[0]) return;
  {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", config);
    snprintf(crash_log_path, sizeof crash_log_path, "%s/crash.log", dirname(tmp));
  }
  if (crash_log_has_text(crash_log_path))
    log_line("WARN", "found crash log from previous run, reporting...");
  fd = open(crash_log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) log_line("ERROR", "set up crash output: open %s: %s", crash_log_path, go_errno(errno));
  else close(fd);
}

static int cmd_run(int argc, char **argv) {
  /* cmd/cmd_run.go init: run's flags */
  struct flag flags[] = {
    {"config", "config.json", 0},
    {"geo-city-url", "https://lanterngeo.lantern.io/GeoLite2-City.mmdb.tar.gz", 0},
    {"city-database-name", "GeoLite2-City.mmdb", 0},
    {"datacap-url", "", 0},
    {"proxy-info", "", 0},
    {NULL, NULL, 0},
  };
  int r = parse_flags(argc, argv, flags);
  if (r < 0) return -1;
  if (r > 0) {
    help_cmd("run", "Run service",
             "      --city-database-name string   Filename for storing GeoLite2-City database (default \"GeoLite2-City.mmdb\")\n"
             "      --config string               Configuration file path (default \"config.json\")\n"
             "      --datacap-url string          Datacap server URL\n"
             "      --geo-city-url string         URL for downloading GeoLite2-City database (default \"https://lanterngeo.lantern.io/GeoLite2-City.mmdb.tar.gz\")\n"
             "      --proxy-info string           Path to proxy info INI file\n");
    return 0;
  }
  pre_run(flags, 1);
  return run(flag_value(flags, "config"));
}

static int cmd_check(int argc, char **argv) {
  /* cmd/cmd_check.go: only --config (no --proxy-info: it is run's flag) */
  struct flag flags[] = {{"config", "config.json", 0}, {NULL, NULL, 0}};
  int r = parse_flags(argc, argv, flags);
  if (r < 0) return -1;
  if (r > 0) {
    help_cmd("check", "Check configuration", "      --config string   Configuration file path (default \"config.json\")\n");
    return 0;
  }
  pre_run(flags, 0);
  if (check(flag_value(flags, "config")) != 0) return wrap("configuration check failed");
  return 0;
}

/* cmd/cmd_wg_peer.go: each subcommand's own flags (add: --public-key,
 * --allowed-ips (a StringSlice, default 0.0.0.0/0), --socket; remove:
 * --public-key, --socket; list: --socket), --public-key required for add and
 * remove. cobra runs the pre-run hook before it checks required flags
 * (command.go execute: PersistentPreRun, then ValidateRequiredFlags). */
static int cmd_wg_peers(int argc, char **argv) {
  const char *sub = argc > 0 ? argv[0] : "";
  const int add = strcmp(sub, "add") == 0, remove = strcmp(sub, "remove") == 0;
  struct flag add_flags[] = {
    {"public-key", "", 0}, {"allowed-ips", "0.0.0.0/0", 0}, {"socket", "/var/run/wireguard/wg0.sock", 0}, {NULL, NULL, 0},
  };
  struct flag remove_flags[] = {{"public-key", "", 0}, {"socket", "/var/run/wireguard/wg0.sock", 0}, {NULL, NULL, 0}};
  struct flag list_flags[] = {{"socket", "/var/run/wireguard/wg0.sock", 0}, {NULL, NULL, 0}};
  struct flag *flags = add ? add_flags : remove ? remove_flags : list_flags;
  char resp[8192], req[4096], hex[128], ips[1024], *ip, *save;
  int r;
  if (!add && !remove && strcmp(sub, "list") != 0) {
    /* wgPeersCmd has no RunE: cobra prints its help (exit 0). */
    printf("Add or remove WireGuard peers\n\nUsage:\n  lantern-box wg-peers [command]\n\nAvailable Commands:\n"
           "  add         Add a WireGuard peer\n  list        List WireGuard peers\n  remove      Remove a WireGuard peer\n");
    return 0;
  }
  r = parse_flags(argc - 1, argv + 1, flags);
  if (r < 0) return -1;
  if (r > 0) return printf("lantern-box wg-peers %s [flags]\n", sub), 0;
  pre_run(flags, 0);
  if ((add || remove) && !flags[0].set) return errorf("required flag(s) \"public-key\" not set");
  if (!add && !remove) {
    if (wg_request(flag_value(flags, "socket"), "get=1\n\n", resp, sizeof resp) != 0) return wrap("retrieving peers");
    if (!strstr(resp, "public_key")) printf("No peers found.\n");
    else print_peers(strstr(resp, "public_key"));
    return 0;
  }
  if (base64_to_hex(flag_value(flags, "public-key"), hex, sizeof hex) != 0) return wrap(add ? "adding peer" : "removing peer");
  snprintf(req, sizeof req, "set=1\npublic_key=%s\n%s", hex, remove ? "remove=true\n" : "");
  if (add) {
    snprintf(ips, sizeof ips, "%s", flag_value(flags, "allowed-ips"));
    for (ip = strtok_r(ips, ",", &save); ip; ip = strtok_r(NULL, ",", &save)) {
      if (parse_cidr(ip) != 0) return errorf("adding peer: parsing allowed IP %s: invalid CIDR address: %s", ip, ip);
      snprintf(req + strlen(req), sizeof req - strlen(req), "allowed_ip=%s\n", ip);
    }
  }
  strncat(req, "\n", sizeof req - strlen(req) - 1); /* sendReq ends a request with a blank line */
  if (wg_request(flag_value(flags, "socket"), req, resp, sizeof resp) != 0) {
    wrap("sending request");
    return wrap(add ? "adding peer" : "removing peer");
  }
  printf(add ? "Peer added\n" : "Peer removed\n");
  return 0;
}

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : "";
  int rc;
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) { help_root(); return 0; } /* rootCmd has no Run: help */
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) { help_root(); return 0; }
  if (strcmp(cmd, "run") == 0) rc = cmd_run(argc - 2, argv + 2);
  else if (strcmp(cmd, "check") == 0) rc = cmd_check(argc - 2, argv + 2);
  else if (strcmp(cmd, "wg-peers") == 0) rc = cmd_wg_peers(argc - 2, argv + 2);
  else if (strncmp(cmd, "--", 2) == 0) rc = errorf("unknown flag: %s", cmd); /* no --version: Version is "" */
  else if (cmd[0] == '-') rc = errorf("unknown shorthand flag: '%c' in %s", cmd[1], cmd);
  else rc = unknown_command(cmd);
  if (rc != 0) {
    /* cmd/main.go: SilenceErrors + fmt.Println(err) (stdout) + exit 1 */
    printf("%s\n", err_buf);
    return 1;
  }
  return 0;
}
