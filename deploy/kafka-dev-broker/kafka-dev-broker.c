/*
 * kafka-dev-broker: an in-memory Kafka cluster for development and tests,
 * built on librdkafka's mock cluster (rdkafka_mock.h, librdkafka >= 2.0).
 *
 * Nothing is persisted: every topic, message and committed offset lives in
 * this process and is gone when it exits. Never point anything that matters
 * at it.
 *
 * See README.md next to this file for usage and the control protocol.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_BROKERS 32
#define MAX_PARTITIONS 10000
#define MAX_RTT_MS 600000
#define MAX_CLIENTS 64
/* A command is at most "create <249-char topic> <partitions>"; anything much
 * longer is not a client speaking this protocol. */
#define MAX_LINE 512
#define TOPICS_TIMEOUT_MS 3000

struct client {
        int fd;
        size_t len;
        char buf[MAX_LINE];
};

static rd_kafka_t *rk;
static rd_kafka_mock_cluster_t *mcluster;
static int broker_cnt = 3;
static const char *bootstrap_file;
static const char *control_file;
static volatile sig_atomic_t shutting_down;

static void die(const char *fmt, ...) {
        va_list ap;
        fputs("kafka-dev-broker: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(1);
}

static void usage(void) {
        fprintf(stderr,
                "usage: kafka-dev-broker [--brokers N] [--topics FILE]\n"
                "                        --bootstrap-file PATH "
                "--control-file PATH\n"
                "                        [--exit-with-parent]\n");
        exit(2);
}

/* Strict integer parsing: atoi() would turn "3x" or "" into a silently wrong
 * number, and these values come from files and sockets. */
static int parse_int(const char *s, long min, long max, int *out) {
        char *end;
        long v;
        if (!s || !*s)
                return -1;
        errno = 0;
        v     = strtol(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return -1;
        *out = (int)v;
        return 0;
}

/* Kafka's own rule for topic names. Enforcing it here also keeps names free
 * of spaces and commas, which the line protocol and `topics` reply rely on. */
static int valid_topic(const char *t) {
        size_t n = strlen(t);
        if (n == 0 || n > 249 || !strcmp(t, ".") || !strcmp(t, ".."))
                return 0;
        for (; *t; t++)
                if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
                      (*t >= '0' && *t <= '9') || *t == '.' || *t == '_' ||
                      *t == '-'))
                        return 0;
        return 1;
}

/* Readers poll for these files and must never see a half-written one, so
 * write a sibling temp file and rename it into place (atomic on POSIX). */
static int write_file_atomic(const char *path, const char *content) {
        char tmp[PATH_MAX];
        size_t len = strlen(content);
        int fd;
        if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
            (int)sizeof(tmp))
                return -1;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd == -1)
                return -1;
        if (write(fd, content, len) != (ssize_t)len || close(fd) == -1) {
                unlink(tmp);
                return -1;
        }
        if (rename(tmp, path) == -1) {
                unlink(tmp);
                return -1;
        }
        return 0;
}

static const char *create_topic(const char *name, int partitions) {
        static char err[300];
        rd_kafka_resp_err_t e;
        if (!valid_topic(name))
                return "invalid topic name";
        /* The mock reserves replicas out of its brokers; more replicas than
         * brokers cannot exist, three is what production uses. */
        e = rd_kafka_mock_topic_create(mcluster, name, partitions,
                                       broker_cnt < 3 ? broker_cnt : 3);
        if (!e)
                return NULL;
        snprintf(err, sizeof(err), "%s: %s", rd_kafka_err2name(e),
                 rd_kafka_err2str(e));
        return err;
}

static void create_topics_from_file(const char *path) {
        FILE *f = fopen(path, "r");
        char line[1024];
        int lineno = 0;
        if (!f) {
                /* A missing file is documented as "no topics"; anything else
                 * (permissions, a directory) is a real mistake. */
                if (errno == ENOENT)
                        return;
                die("cannot read topics file %s: %s", path, strerror(errno));
        }
        while (fgets(line, sizeof(line), f)) {
                char name[256], extra[2], count[32];
                char *hash = strchr(line, '#');
                int partitions, n;
                const char *err;
                lineno++;
                if (hash)
                        *hash = '\0';
                n = sscanf(line, "%255s %31s %1s", name, count, extra);
                if (n <= 0)
                        continue;
                if (n != 2 ||
                    parse_int(count, 1, MAX_PARTITIONS, &partitions) == -1)
                        die("%s:%d: expected '<topic> <partitions>'", path,
                            lineno);
                if ((err = create_topic(name, partitions)))
                        die("%s:%d: cannot create topic %s: %s", path, lineno,
                            name, err);
        }
        if (ferror(f))
                die("error reading %s", path);
        fclose(f);
}

/* The mock has no "list topics" call, so ask it the way a client would: a
 * Metadata request for all topics through our own handle. That also shows
 * topics the mock auto-created for clients. Needs one broker up; blocks the
 * control loop for at most TOPICS_TIMEOUT_MS. */
static char *list_topics(const char **errp) {
        const struct rd_kafka_metadata *md;
        rd_kafka_resp_err_t e;
        size_t len = 4;
        char *out;
        int i;
        e = rd_kafka_metadata(rk, 1, NULL, &md, TOPICS_TIMEOUT_MS);
        if (e) {
                *errp = rd_kafka_err2str(e);
                return NULL;
        }
        for (i = 0; i < md->topic_cnt; i++)
                len += strlen(md->topics[i].topic) + 1;
        out = malloc(len);
        if (!out) {
                rd_kafka_metadata_destroy(md);
                *errp = "out of memory";
                return NULL;
        }
        strcpy(out, "ok");
        for (i = 0; i < md->topic_cnt; i++) {
                strcat(out, i ? "," : " ");
                strcat(out, md->topics[i].topic);
        }
        rd_kafka_metadata_destroy(md);
        return out;
}

/* Mock broker ids are 1..N; -1 means "all" to the mock API. */
static int parse_broker(const char *s, int *id) {
        if (s && !strcmp(s, "all")) {
                *id = -1;
                return 0;
        }
        return parse_int(s, 1, broker_cnt, id);
}

/* Executes one command line and returns the reply (without newline).
 * The returned string is either static or heap-allocated (*freeme set). */
static const char *handle_command(char *line, char **freeme) {
        static char reply[400];
        char *argv[4];
        int argc = 0, id, n;
        char *save = NULL, *tok;
        rd_kafka_resp_err_t e;

        *freeme = NULL;
        for (tok = strtok_r(line, " \t\r", &save); tok && argc < 4;
             tok = strtok_r(NULL, " \t\r", &save))
                argv[argc++] = tok;
        if (tok || argc == 0)
                return "error bad command";

        if (!strcmp(argv[0], "ping") && argc == 1)
                return "ok";

        if ((!strcmp(argv[0], "down") || !strcmp(argv[0], "up")) &&
            argc == 2) {
                if (parse_broker(argv[1], &id) == -1)
                        return "error unknown broker id";
                e = argv[0][0] == 'd'
                        ? rd_kafka_mock_broker_set_down(mcluster, id)
                        : rd_kafka_mock_broker_set_up(mcluster, id);
                goto mock_result;
        }

        if (!strcmp(argv[0], "rtt") && argc == 3) {
                if (parse_broker(argv[1], &id) == -1)
                        return "error unknown broker id";
                if (parse_int(argv[2], 0, MAX_RTT_MS, &n) == -1)
                        return "error rtt must be 0..600000 ms";
                e = rd_kafka_mock_broker_set_rtt(mcluster, id, n);
                goto mock_result;
        }

        if (!strcmp(argv[0], "create") && argc == 3) {
                const char *err;
                if (parse_int(argv[2], 1, MAX_PARTITIONS, &n) == -1)
                        return "error partitions must be 1..10000";
                if ((err = create_topic(argv[1], n))) {
                        snprintf(reply, sizeof(reply), "error %s", err);
                        return reply;
                }
                return "ok";
        }

        /* "produce-errors <code> <count>": the next <count> Produce requests, on any broker, fail with
         * Kafka error <code> (e.g. 10 MESSAGE_TOO_LARGE), for tests of what a producer does with a refusal. */
        if (!strcmp(argv[0], "produce-errors") && argc == 3) {
                int code, i;
                rd_kafka_resp_err_t errs[64];
                if (parse_int(argv[1], 1, 32767, &code) == -1)
                        return "error code must be 1..32767";
                if (parse_int(argv[2], 1, 64, &n) == -1)
                        return "error count must be 1..64";
                for (i = 0; i < n; i++)
                        errs[i] = (rd_kafka_resp_err_t)code;
                rd_kafka_mock_push_request_errors_array(mcluster, 0 /* Produce */, (size_t)n, errs);
                return "ok";
        }

        if (!strcmp(argv[0], "topics") && argc == 1) {
                const char *err = NULL;
                if ((*freeme = list_topics(&err)))
                        return *freeme;
                snprintf(reply, sizeof(reply), "error %s", err);
                return reply;
        }

        return "error bad command";

mock_result:
        if (!e)
                return "ok";
        snprintf(reply, sizeof(reply), "error %s", rd_kafka_err2str(e));
        return reply;
}

/* Replies are tiny and clients wait for them, so a blocking send is fine; a
 * client that vanished just gets dropped (MSG_NOSIGNAL: no SIGPIPE). */
static int send_line(int fd, const char *s) {
        size_t len = strlen(s), off = 0;
        while (off <= len) {
                const char *p = off < len ? s + off : "\n";
                size_t n      = off < len ? len - off : 1;
                ssize_t w     = send(fd, p, n, MSG_NOSIGNAL);
                if (w == -1 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return -1;
                off += (size_t)w;
        }
        return 0;
}

/* Returns -1 when the client should be dropped. */
static int client_readable(struct client *c) {
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
        char *nl;
        if (r == -1 && (errno == EINTR || errno == EAGAIN))
                return 0;
        if (r <= 0)
                return -1;
        c->len += (size_t)r;
        while ((nl = memchr(c->buf, '\n', c->len))) {
                char *freeme;
                const char *reply;
                size_t used = (size_t)(nl - c->buf) + 1;
                *nl         = '\0';
                reply       = handle_command(c->buf, &freeme);
                r           = send_line(c->fd, reply);
                free(freeme);
                if (r == -1)
                        return -1;
                memmove(c->buf, c->buf + used, c->len - used);
                c->len -= used;
        }
        if (c->len == sizeof(c->buf)) {
                send_line(c->fd, "error line too long");
                return -1;
        }
        return 0;
}

static int open_control_listener(int *port) {
        struct sockaddr_in sa;
        socklen_t salen = sizeof(sa);
        int one         = 1;
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (s == -1)
                return -1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        memset(&sa, 0, sizeof(sa));
        sa.sin_family      = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* never reachable
                                                        from elsewhere */
        sa.sin_port        = 0;
        if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
            listen(s, 16) == -1 ||
            getsockname(s, (struct sockaddr *)&sa, &salen) == -1) {
                close(s);
                return -1;
        }
        *port = ntohs(sa.sin_port);
        return s;
}

/* librdkafka logs through our handle, for the mock and for the client side we
 * use for `topics`. Keep warnings and worse (the launcher shows stderr when
 * startup fails) but not that client's connection failures (FAIL): brokers
 * go down on purpose here, and at shutdown the cluster goes before the
 * client. */
static void log_cb(const rd_kafka_t *r, int level, const char *fac,
                   const char *buf) {
        (void)r;
        if (level <= LOG_WARNING && !shutting_down && strcmp(fac, "FAIL"))
                fprintf(stderr, "kafka-dev-broker: rdkafka %s: %s\n", fac, buf);
}

/* Errors on our own handle are connection failures of the `topics` client,
 * e.g. while brokers are down on purpose. They are expected; the command
 * that needed the connection reports its own error. */
static void error_cb(rd_kafka_t *r, int err, const char *reason, void *op) {
        (void)r;
        (void)err;
        (void)reason;
        (void)op;
}

static void setup_cluster(void) {
        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        static const char *props[][2] = {
                {"client.id", "kafka-dev-broker"},
                /* Only `topics` uses this client: no background metadata
                 * refreshes, no logs on every mock disconnect. */
                {"topic.metadata.refresh.interval.ms", "-1"},
                {"log.connection.close", "false"},
                {"reconnect.backoff.max.ms", "1000"},
        };
        size_t i;
        for (i = 0; i < sizeof(props) / sizeof(props[0]); i++)
                if (rd_kafka_conf_set(conf, props[i][0], props[i][1], errstr,
                                      sizeof(errstr)) != RD_KAFKA_CONF_OK)
                        die("%s", errstr);
        rd_kafka_conf_set_log_cb(conf, log_cb);
        rd_kafka_conf_set_error_cb(conf, error_cb);

        /* The mock cluster needs a handle for bookkeeping; a producer is the
         * cheapest kind (no consumer group machinery). */
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk)
                die("rd_kafka_new: %s", errstr);
        mcluster = rd_kafka_mock_cluster_new(rk, broker_cnt);
        if (!mcluster)
                die("cannot create mock cluster (see rdkafka messages above)");
        if (rd_kafka_brokers_add(rk, rd_kafka_mock_cluster_bootstraps(
                                         mcluster)) == 0)
                die("cannot add mock brokers to the internal client");
}

int main(int argc, char **argv) {
        const char *topics_file = NULL;
        int exit_with_parent    = 0;
        struct pollfd pfds[2 + MAX_CLIENTS];
        struct client *clients[MAX_CLIENTS] = {0};
        sigset_t sigs;
        int sfd, lfd, port, i, running = 1;
        char portbuf[32];
        const char *bootstraps;

        for (i = 1; i < argc; i++) {
                const char *a = argv[i];
                const char *v = i + 1 < argc ? argv[i + 1] : NULL;
                if (!strcmp(a, "--exit-with-parent")) {
                        exit_with_parent = 1;
                        continue;
                }
                if (!v)
                        usage();
                i++;
                if (!strcmp(a, "--brokers")) {
                        if (parse_int(v, 1, MAX_BROKERS, &broker_cnt) == -1)
                                die("--brokers must be 1..%d", MAX_BROKERS);
                } else if (!strcmp(a, "--topics"))
                        topics_file = v;
                else if (!strcmp(a, "--bootstrap-file"))
                        bootstrap_file = v;
                else if (!strcmp(a, "--control-file"))
                        control_file = v;
                else
                        usage();
        }
        if (!bootstrap_file || !control_file)
                usage();

        /* A test runner that crashes cannot call stop(); without this the
         * broker would outlive it forever. Opt-in, because a broker started
         * from a shell script should survive the script. */
        if (exit_with_parent) {
                pid_t parent = getppid();
                prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (getppid() != parent)
                        return 0; /* parent died before prctl took effect */
        }

        /* Block the signals before librdkafka starts its threads, so they
         * inherit the mask and every SIGTERM/SIGINT arrives on our signalfd
         * instead of interrupting some random thread. */
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGTERM);
        sigaddset(&sigs, SIGINT);
        sigaddset(&sigs, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &sigs, NULL) == -1 ||
            (sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) == -1)
                die("signalfd: %s", strerror(errno));

        setup_cluster();
        if (topics_file)
                create_topics_from_file(topics_file);

        if ((lfd = open_control_listener(&port)) == -1)
                die("control listener: %s", strerror(errno));

        /* Control file first: a launcher that sees the bootstrap file may
         * assume the broker is fully usable, control channel included. */
        bootstraps = rd_kafka_mock_cluster_bootstraps(mcluster);
        snprintf(portbuf, sizeof(portbuf), "%d\n", port);
        if (write_file_atomic(control_file, portbuf) == -1)
                die("cannot write %s: %s", control_file, strerror(errno));
        {
                char *b = malloc(strlen(bootstraps) + 2);
                if (!b)
                        die("out of memory");
                sprintf(b, "%s\n", bootstraps);
                if (write_file_atomic(bootstrap_file, b) == -1) {
                        unlink(control_file);
                        die("cannot write %s: %s", bootstrap_file,
                            strerror(errno));
                }
                free(b);
        }
        printf("kafka-dev-broker ready %s\n", bootstraps);
        fflush(stdout);

        while (running) {
                int nfds = 2;
                int idx[MAX_CLIENTS];
                pfds[0] = (struct pollfd) {.fd = sfd, .events = POLLIN};
                pfds[1] = (struct pollfd) {.fd = lfd, .events = POLLIN};
                for (i = 0; i < MAX_CLIENTS; i++)
                        if (clients[i]) {
                                idx[nfds - 2] = i;
                                pfds[nfds++]  = (struct pollfd) {
                                     .fd = clients[i]->fd, .events = POLLIN};
                        }
                if (poll(pfds, (nfds_t)nfds, -1) == -1) {
                        if (errno == EINTR)
                                continue;
                        die("poll: %s", strerror(errno));
                }
                if (pfds[0].revents)
                        running = 0;
                if (pfds[1].revents & POLLIN) {
                        int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                        if (cfd != -1) {
                                for (i = 0; i < MAX_CLIENTS && clients[i]; i++)
                                        ;
                                if (i == MAX_CLIENTS ||
                                    !(clients[i] = calloc(1, sizeof(**clients)))) {
                                        send_line(cfd, "error too many clients");
                                        close(cfd);
                                } else
                                        clients[i]->fd = cfd;
                        }
                }
                for (i = 2; i < nfds; i++) {
                        struct client *c = clients[idx[i - 2]];
                        if (!pfds[i].revents)
                                continue;
                        if (client_readable(c) == -1) {
                                close(c->fd);
                                free(c);
                                clients[idx[i - 2]] = NULL;
                        }
                }
        }

        shutting_down = 1;
        /* Files first: once the process is going away, nobody should find a
         * port or bootstrap list that points at it. */
        unlink(bootstrap_file);
        unlink(control_file);
        for (i = 0; i < MAX_CLIENTS; i++)
                if (clients[i]) {
                        close(clients[i]->fd);
                        free(clients[i]);
                }
        close(lfd);
        /* librdkafka insists the cluster goes before the handle. */
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
