/* Stand-in for the lantern-box binary (a real ELF, so that
 * /proc/<MainPID>/exe version works as it does for the Go binary).
 *   lantern-box version                 -> "lantern-box version <VERSION>"
 *   lantern-box run --config <file>     -> checks the file looks like JSON,
 *                                          then waits; SIGHUP re-checks it.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef VERSION
#error "build with -DVERSION=\"x.y.z\""
#endif

static volatile sig_atomic_t reload, stop;
static void on_hup(int s) { (void)s; reload = 1; }
static void on_term(int s) { (void)s; stop = 1; }

static int check_config(const char *path) {
  FILE *f = fopen(path, "r");
  int c;
  if (!f) { perror(path); return -1; }
  do { c = fgetc(f); } while (c == ' ' || c == '\n' || c == '\t' || c == '\r');
  fclose(f);
  if (c != '{') { fprintf(stderr, "%s: not a JSON object\n", path); return -1; }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "version") == 0) {
    printf("lantern-box version %s\n", VERSION);
    return 0;
  }
  if (argc == 4 && strcmp(argv[1], "run") == 0 && strcmp(argv[2], "--config") == 0) {
    if (check_config(argv[3]) != 0) return 1;
    signal(SIGHUP, on_hup);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    printf("lantern-box %s running with %s\n", VERSION, argv[3]);
    fflush(stdout);
    while (!stop) {
      pause();
      if (reload) {
        reload = 0;
        printf("lantern-box %s: reload, config %s\n", VERSION,
               check_config(argv[3]) == 0 ? "ok" : "invalid");
        fflush(stdout);
      }
    }
    return 0;
  }
  fprintf(stderr, "usage: lantern-box version | lantern-box run --config <file>\n");
  return 2;
}
