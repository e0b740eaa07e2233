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
 * Each behaviour names the file it follows. It is a real static ELF, so
 * /proc/<MainPID>/exe is this file and its md5 is the one dpkg records, as
 * for the Go binary.
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

/* A small strict JSON reader: enough of SagerNet/sing common/json to give
 * the same verdict on the configs we write. */
enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };
struct jnode {
  enum jtype type;
  char *key;  /* member name inside an object */
  char *str;  /* J_STR value */
  double num; /* J_NUM value */
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
  else { *(*w)++ = (char)(0xe0 | cp >> 12); *(*w)++ = (char)(0x80 | ((cp >> 6) & 0x3f)); *(*w)++ = (char)(0x80 | (cp & 0x3f)); }
}

static int parse_string(struct jparser *j, char **out) {
  char *buf, *w;
  j->p++; /* opening quote */
  buf = w = malloc((size_t)(j->end - j->p) * 3 + 1);
  if (!buf) abort();
  while (j->p < j->end && *j->p != '"') {
    unsigned char c = (unsigned char)*j->p++;
    if (c < 0x20) { free(buf); j->p--; return syntax_error(j, "invalid character in string literal"); }
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
      unsigned cp = 0;
      int i;
      for (i = 0; i < 4; i++) {
        if (j->p >= j->end || !isxdigit((unsigned char)*j->p)) { free(buf); return syntax_error(j, "invalid character in \\u escape"); }
        cp = cp * 16 + (unsigned)(isdigit((unsigned char)*j->p) ? *j->p - '0' : (tolower((unsigned char)*j->p) - 'a' + 10));
        j->p++;
      }
      put_utf8(&w, cp);
      break;
    }
    default: free(buf); j->p--; return syntax_error(j, "invalid character in string escape code");
    }
  }
  if (j->p >= j->end) { free(buf); return syntax_error(j, "unexpected end of JSON input"); }
  j->p++; /* closing quote */
  *w = 0;
  *out = buf;
  return 0;
}

static int parse_container(struct jparser *j, struct jnode *n, char close, int depth) {
  struct jnode **tail = &n->child;
  j->p++;
  skip_ws(j);
  if (j->p < j->end && *j->p == close) { j->p++; return 0; }
  for (;;) {
    char *key = NULL;
    struct jnode *v;
    skip_ws(j);
    if (close == '}') {
      if (j->p >= j->end || *j->p != '"') return syntax_error(j, "invalid character looking for beginning of object key string");
      if (parse_string(j, &key)) return -1;
      skip_ws(j);
      if (j->p >= j->end || *j->p != ':') return syntax_error(j, "invalid character after object key");
      j->p++;
    }
    if (parse_value(j, &v, depth + 1)) return -1;
    v->key = key;
    *tail = v;
    tail = &v->next;
    skip_ws(j);
    if (j->p < j->end && *j->p == ',') { j->p++; continue; }
    if (j->p < j->end && *j->p == close) { j->p++; return 0; }
    return syntax_error(j, close == '}' ? "invalid character after object key:value pair" : "invalid character after array element");
  }
}

static int parse_value(struct jparser *j, struct jnode **out, int depth) {
  struct jnode *n;
  skip_ws(j);
  if (depth > 100) return syntax_error(j, "exceeded max depth");
  if (j->p >= j->end) return syntax_error(j, "unexpected end of JSON input");
  switch (*j->p) {
  case '{': n = jnew(J_OBJ); *out = n; return parse_container(j, n, '}', depth);
  case '[': n = jnew(J_ARR); *out = n; return parse_container(j, n, ']', depth);
  case '"': n = jnew(J_STR); *out = n; return parse_string(j, &n->str);
  case 't': case 'f': case 'n': {
    static const char *const words[] = {"true", "false", "null"};
    int i;
    for (i = 0; i < 3; i++) {
      size_t len = strlen(words[i]);
      if ((size_t)(j->end - j->p) >= len && strncmp(j->p, words[i], len) == 0) {
        n = jnew(i == 2 ? J_NULL : J_BOOL);
        n->num = i == 0;
        j->p += len;
        *out = n;
        return 0;
      }
    }
    return syntax_error(j, "invalid character looking for beginning of value");
  }
  default: {
    char *endp;
    if (*j->p != '-' && !isdigit((unsigned char)*j->p)) return syntax_error(j, "invalid character looking for beginning of value");
    n = jnew(J_NUM);
    n->num = strtod(j->p, &endp);
    if (endp == j->p) return syntax_error(j, "invalid character in numeric literal");
    j->p = endp;
    *out = n;
    return 0;
  }
  }
}

static const struct jnode *member(const struct jnode *obj, const char *key) {
  const struct jnode *m;
  for (m = obj->child; m; m = m->next)
    if (strcmp(m->key, key) == 0) return m;
  return NULL;
}

static const char *member_str(const struct jnode *obj, const char *key) {
  const struct jnode *m = member(obj, key);
  return m && m->type == J_STR ? m->str : "";
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

/* sing-box protocol/shadowsocks/inbound.go: "none", shadowaead.List,
 * shadowaead_2022.List; anything else is "unsupported method". */
static const char *const SHADOWSOCKS_METHODS[] = {
  "none", "aes-128-gcm", "aes-192-gcm", "aes-256-gcm", "chacha20-ietf-poly1305",
  "xchacha20-ietf-poly1305", "2022-blake3-aes-128-gcm", "2022-blake3-aes-256-gcm",
  "2022-blake3-chacha20-poly1305", NULL,
};

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
  char type[32], tag[64], addr[64], method[64];
  int port; /* 0: does not listen */
};

struct config {
  struct inbound inbounds[16];
  int n_inbounds;
  int shadowsocksr_outbound; /* index of the first shadowsocksr outbound, or -1 */
};

/* cmd/cmd_run.go readConfig: os.ReadFile, then sing's
 * json.UnmarshalExtendedContext[option.Options] with the registries of
 * box.BaseContext (context.go). Errors: "reading config file: ...",
 * "parsing config file: ...". */
static int read_config(const char *path, struct config *cfg) {
  FILE *f;
  char *buf;
  long size;
  struct jparser j;
  struct jnode *root;
  const struct jnode *m, *arr, *e;
  int i;

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

  j.s = j.p = buf;
  j.end = buf + size;
  if (parse_value(&j, &root, 0)) return wrap("parsing config file");
  skip_ws(&j);
  if (j.p != j.end) { syntax_error(&j, "invalid character after top-level value"); return wrap("parsing config file"); }
  if (root->type != J_OBJ) { errorf("json: cannot unmarshal %s into Go value of type option._Options", root->type == J_ARR ? "array" : "value"); return wrap("parsing config file"); }
  for (m = root->child; m; m = m->next)
    if (!in_list(TOP_LEVEL_FIELDS, m->key)) { errorf("json: unknown field \"%s\"", m->key); return wrap("parsing config file"); }

  /* option/inbound.go UnmarshalJSONContext: registry.CreateOptions(type) or
   * "unknown inbound type: <type>"; the decoder prefixes the path
   * (sing common/json/internal/contextjson/decode_context.go). */
  arr = member(root, "inbounds");
  for (i = 0, e = arr && arr->type == J_ARR ? arr->child : NULL; e; e = e->next, i++) {
    const char *type = e->type == J_OBJ ? member_str(e, "type") : "";
    const struct jnode *port = member(e, "listen_port");
    struct inbound *in;
    if (!inbound_registered(type)) { errorf("inbounds[%d]: unknown inbound type: %s", i, type); return wrap("parsing config file"); }
    if (cfg->n_inbounds == 16) return errorf("stand-in: more than 16 inbounds are not modelled");
    in = &cfg->inbounds[cfg->n_inbounds++];
    snprintf(in->type, sizeof in->type, "%s", type);
    snprintf(in->tag, sizeof in->tag, "%s", member_str(e, "tag"));
    if (!in->tag[0]) snprintf(in->tag, sizeof in->tag, "%d", i);
    snprintf(in->method, sizeof in->method, "%s", member_str(e, "method"));
    /* common/listener/listener_tcp.go: Listen.Build(127.0.0.1): no
     * "listen" means loopback only. */
    snprintf(in->addr, sizeof in->addr, "%s", member(e, "listen") ? member_str(e, "listen") : "127.0.0.1");
    in->port = port && port->type == J_NUM && port->num > 0 ? (int)port->num : 0;
  }
  arr = member(root, "outbounds");
  for (i = 0, e = arr && arr->type == J_ARR ? arr->child : NULL; e; e = e->next, i++) {
    const char *type = e->type == J_OBJ ? member_str(e, "type") : "";
    if (!in_list(OUTBOUND_TYPES, type)) { errorf("outbounds[%d]: unknown outbound type: %s", i, type); return wrap("parsing config file"); }
    if (strcmp(type, "shadowsocksr") == 0 && cfg->shadowsocksr_outbound < 0) cfg->shadowsocksr_outbound = i;
  }
  return 0;
}

/* box.New (sing-box-minimal box.go): builds every inbound, then every
 * outbound, without listening; errors are "initialize inbound[i]: ..." and
 * "initialize outbound[i]: ...". Modelled: the shadowsocks method
 * (protocol/shadowsocks/inbound.go: "unsupported method: <m>") and the
 * removed ShadowsocksR. */
static int new_box(const struct config *cfg) {
  int i;
  for (i = 0; i < cfg->n_inbounds; i++) {
    if (strcmp(cfg->inbounds[i].type, "shadowsocksr") == 0)
      return errorf("initialize inbound[%d]: %s", i, SHADOWSOCKSR_REMOVED);
    if (strcmp(cfg->inbounds[i].type, "shadowsocks") == 0 && !in_list(SHADOWSOCKS_METHODS, cfg->inbounds[i].method))
      return errorf("initialize inbound[%d]: unsupported method: %s", i, cfg->inbounds[i].method);
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

static int listeners[16], n_listeners;
static volatile sig_atomic_t got_signal;

static void on_signal(int sig) { got_signal = sig; }

/* Instance.Start: every inbound listens on TCP (sing-box
 * common/listener/listener_tcp.go); errors as adapter/inbound/manager.go
 * names them ("start inbound/<type>[<tag>]"). UDP is not modelled. */
static int start(const struct config *cfg) {
  int i;
  for (i = 0; i < cfg->n_inbounds; i++) {
    const struct inbound *l = &cfg->inbounds[i];
    struct sockaddr_in6 a6;
    struct sockaddr_in a4;
    int v6 = strchr(l->addr, ':') != NULL, fd, one = 1, zero = 0;
    char shown[80];
    if (l->port == 0) continue;
    snprintf(shown, sizeof shown, v6 ? "[%s]:%d" : "%s:%d", l->addr, l->port);
    fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errorf("start inbound/%s[%s]: listen tcp %s: socket: %s", l->type, l->tag, shown, go_errno(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* Go's net.Listen sets it */
    if (v6) {
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
      memset(&a6, 0, sizeof a6);
      a6.sin6_family = AF_INET6;
      a6.sin6_port = htons((unsigned short)l->port);
      if (inet_pton(AF_INET6, l->addr, &a6.sin6_addr) != 1) { close(fd); return errorf("start inbound/%s[%s]: listen tcp %s: bad address", l->type, l->tag, shown); }
    } else {
      memset(&a4, 0, sizeof a4);
      a4.sin_family = AF_INET;
      a4.sin_port = htons((unsigned short)l->port);
      if (inet_pton(AF_INET, l->addr, &a4.sin_addr) != 1) { close(fd); return errorf("start inbound/%s[%s]: listen tcp %s: bad address", l->type, l->tag, shown); }
    }
    if ((v6 ? bind(fd, (struct sockaddr *)&a6, sizeof a6) : bind(fd, (struct sockaddr *)&a4, sizeof a4)) != 0 || listen(fd, 128) != 0) {
      int e = errno;
      close(fd);
      return errorf("start inbound/%s[%s]: listen tcp %s: bind: %s", l->type, l->tag, shown, go_errno(e));
    }
    listeners[n_listeners++] = fd;
    log_line("INFO", "inbound/%s[%s]: tcp server started at %s", l->type, l->tag, shown);
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

/* cmd/main.go preRun (PersistentPreRun of every runnable command): logs,
 * then, when the command has a --config flag, ReportPreviousCrash and
 * SetupCrashOutput (otel/crash.go) on crash.log next to the config file
 * (O_CREATE|O_TRUNC, 0600). */
static void pre_run(const struct flag *flags, int has_proxy_info) {
  const char *config = flag_value(flags, "config");
  struct stat st;
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
  if (stat(crash_log_path, &st) == 0 && st.st_size > 0)
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
