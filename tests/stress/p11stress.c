/* SPDX-License-Identifier: BSD-3-Clause */
/* p11stress: the signing driver of the reliability tests (docs/reliability.md).
 * Like tests/bench/p11sign.c it dlopens the module given on the command line
 * and links nothing of carta. T threads, each with its own session, log in
 * (the second C_Login of one application answers CKR_USER_ALREADY_LOGGED_IN,
 * PKCS#11 3.0 5.6: the login is the application's, shared by its sessions)
 * and make N CKM_SHA256_RSA_PKCS signatures of random data; every signature is
 * verified with OpenSSL against the certificate read from the token.
 *
 *   p11stress --module M [--slot-index I] (--pin P | --pin-file F)
 *             [--threads T] [--signs N] [--logout-each] [--idle-after-login]
 *             [--idle-secs S] [--recover] [--recover-delay-ms D] [--wait-token S]
 *             [--pause-after logout|finalize] [--keep-pin]
 *
 * ckr= counts every return value seen (C_Login, C_OpenSession, C_Sign...);
 * NO_OBJECT = C_FindObjects found no certificate / private key.
 * Output (stdout), one line per phase:
 *   p11stress: phase=run pid=P threads=T signs=N ok=X failed=Y wrong=Z ckr=NAME:n,...
 *   p11stress: phase=recover ok=X failed=Y wrong=Z ckr=...     (--recover)
 *   p11stress: paused pid=P after=logout|finalize              (--pause-after)
 * Exit: 3 if any signature was wrong, else 1 if anything failed, 0 if all ok,
 * 2 on usage / module load errors.
 *
 * The PIN given with --pin is wiped from argv, and the program's own copy is
 * wiped before --pause-after pauses, so that a core dump of this process shows
 * only what the module kept (tests/stress/coredump_pin.sh); --keep-pin keeps
 * it, the search's positive control. Never printed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>

#define MAX_CKR 48
/* Not a CKR: C_FindObjects found no such object (e.g. no private key visible,
 * because the login was lost). Printed as NO_OBJECT. */
#define NO_OBJECT (CKR_VENDOR_DEFINED | 0x5354u)

static CK_FUNCTION_LIST_PTR f;
static char pin[128];
static size_t pin_len;

static struct {
	const char *module, *pause_after;
	unsigned long slot_index, threads, signs, idle_secs, wait_token, recover_delay_ms;
	int logout_each, idle, recover, keep_pin;
} opt = { .threads = 1, .signs = 1, .wait_token = 10 };

static volatile sig_atomic_t stop_req;
static unsigned long wrong_total, failed_total;

/* Counters of one phase, shared by its threads. */
struct tally {
	pthread_mutex_t mu;
	unsigned long ok, failed, wrong;
	CK_RV ckr[MAX_CKR];
	unsigned long ckr_n[MAX_CKR];
	size_t n_ckr;
};

static void tally_rv(struct tally *t, CK_RV rv)
{
	size_t i;

	pthread_mutex_lock(&t->mu);
	for (i = 0; i < t->n_ckr && t->ckr[i] != rv; i++)
		;
	if (i == t->n_ckr && i < MAX_CKR) {
		t->ckr[i] = rv;
		t->ckr_n[i] = 0;
		t->n_ckr++;
	}
	if (i < MAX_CKR)
		t->ckr_n[i]++;
	pthread_mutex_unlock(&t->mu);
}

static void tally_add(struct tally *t, unsigned long *field)
{
	pthread_mutex_lock(&t->mu);
	(*field)++;
	pthread_mutex_unlock(&t->mu);
}

static const char *ckr_name(CK_RV rv)
{
	static const struct {
		CK_RV rv;
		const char *name;
	} names[] = {
		{ CKR_OK, "CKR_OK" },
		{ NO_OBJECT, "NO_OBJECT" },
		{ CKR_HOST_MEMORY, "CKR_HOST_MEMORY" },
		{ CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID" },
		{ CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR" },
		{ CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED" },
		{ CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD" },
		{ CKR_CANT_LOCK, "CKR_CANT_LOCK" },
		{ CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR" },
		{ CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY" },
		{ CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED" },
		{ CKR_FUNCTION_CANCELED, "CKR_FUNCTION_CANCELED" },
		{ CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID" },
		{ CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID" },
		{ CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID" },
		{ CKR_OPERATION_ACTIVE, "CKR_OPERATION_ACTIVE" },
		{ CKR_OPERATION_NOT_INITIALIZED, "CKR_OPERATION_NOT_INITIALIZED" },
		{ CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT" },
		{ CKR_PIN_LOCKED, "CKR_PIN_LOCKED" },
		{ CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED" },
		{ CKR_SESSION_COUNT, "CKR_SESSION_COUNT" },
		{ CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID" },
		{ CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT" },
		{ CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED" },
		{ CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN" },
		{ CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN" },
		{ CKR_USER_ANOTHER_ALREADY_LOGGED_IN, "CKR_USER_ANOTHER_ALREADY_LOGGED_IN" },
		{ CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL" },
		{ CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED" },
		{ CKR_CRYPTOKI_ALREADY_INITIALIZED, "CKR_CRYPTOKI_ALREADY_INITIALIZED" },
	};
	static __thread char hex[24];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].rv == rv)
			return names[i].name;
	snprintf(hex, sizeof(hex), "0x%lx", (unsigned long)rv);
	return hex;
}

static void tally_print(const char *phase, struct tally *t)
{
	size_t i;

	printf("p11stress: phase=%s pid=%ld threads=%lu signs=%lu ok=%lu failed=%lu wrong=%lu ckr=",
	       phase, (long)getpid(), opt.threads, opt.signs, t->ok, t->failed, t->wrong);
	for (i = 0; i < t->n_ckr; i++)
		printf("%s%s:%lu", i ? "," : "", ckr_name(t->ckr[i]), t->ckr_n[i]);
	printf("%s\n", t->n_ckr ? "" : "none");
	fflush(stdout);
}

/* ---- token -------------------------------------------------------------- */

/* The slot of the I-th token present, waiting up to --wait-token seconds. */
static CK_RV find_slot(CK_SLOT_ID *slot)
{
	CK_SLOT_ID slots[16];
	CK_ULONG n;
	CK_RV rv = CKR_TOKEN_NOT_PRESENT;
	unsigned long i;

	for (i = 0; i <= opt.wait_token * 10 && !stop_req; i++) {
		n = 16;
		rv = f->C_GetSlotList(CK_TRUE, slots, &n);
		if (rv == CKR_OK && n > opt.slot_index) {
			*slot = slots[opt.slot_index];
			return CKR_OK;
		}
		if (rv == CKR_OK)
			rv = CKR_TOKEN_NOT_PRESENT;
		usleep(100000);
	}
	return rv;
}

/* The first object of class cls (and CKA_ID id if given). */
static CK_RV find_one(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const CK_BYTE *id, CK_ULONG id_len,
                      CK_OBJECT_HANDLE *obj)
{
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof(cls) }, { CKA_ID, (void *)id, id_len } };
	CK_ULONG nf = 0;
	CK_RV rv = f->C_FindObjectsInit(s, tmpl, id ? 2 : 1);

	if (rv != CKR_OK)
		return rv;
	rv = f->C_FindObjects(s, obj, 1, &nf);
	f->C_FindObjectsFinal(s);
	if (rv == CKR_OK && nf != 1)
		rv = NO_OBJECT;
	return rv;
}

struct token {
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	int open;
	EVP_PKEY *pub;
	CK_BYTE id[64];
	CK_ULONG id_len;
};

/* The certificate (CKA_VALUE, CKA_ID) of the token: its public key verifies.
 * A CIE shows its certificate only after the login (docs/reference/cie.md):
 * then this session logs in, and stays open for the phase so that closing it
 * does not log the workers out (PKCS#11 3.0 5.6.7: closing the last session). */
static CK_RV read_cert(struct token *tk, struct tally *t)
{
	CK_OBJECT_HANDLE cert;
	CK_BYTE der[8192];
	CK_ATTRIBUTE a[] = { { CKA_VALUE, der, sizeof(der) }, { CKA_ID, tk->id, sizeof(tk->id) } };
	const unsigned char *p = der;
	X509 *x;
	CK_RV rv = find_slot(&tk->slot);

	if (rv == CKR_OK)
		rv = f->C_OpenSession(tk->slot, CKF_SERIAL_SESSION, NULL, NULL, &tk->s);
	if (rv != CKR_OK) {
		tally_rv(t, rv);
		return rv;
	}
	tk->open = 1;
	rv = find_one(tk->s, CKO_CERTIFICATE, NULL, 0, &cert);
	if (rv == NO_OBJECT) {
		rv = f->C_Login(tk->s, CKU_USER, (CK_UTF8CHAR_PTR)pin, pin_len);
		tally_rv(t, rv);
		if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
			rv = find_one(tk->s, CKO_CERTIFICATE, NULL, 0, &cert);
	}
	if (rv == CKR_OK)
		rv = f->C_GetAttributeValue(tk->s, cert, a, 2);
	if (rv != CKR_OK) {
		tally_rv(t, rv);
		return rv;
	}
	tk->id_len = a[1].ulValueLen;
	x = d2i_X509(NULL, &p, (long)a[0].ulValueLen);
	if (tk->pub)
		EVP_PKEY_free(tk->pub);
	tk->pub = x ? X509_get_pubkey(x) : NULL;
	X509_free(x);
	if (!tk->pub) {
		fprintf(stderr, "p11stress: the token's certificate does not parse\n");
		tally_rv(t, CKR_GENERAL_ERROR);
		return CKR_GENERAL_ERROR;
	}
	return CKR_OK;
}

static int verify(EVP_PKEY *pub, const CK_BYTE *data, size_t n, const CK_BYTE *sig, size_t sn)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, pub) == 1 &&
	         EVP_DigestVerify(c, sig, sn, data, n) == 1;

	EVP_MD_CTX_free(c);
	return ok;
}

/* ---- one worker: session, login, N signatures --------------------------- */

struct worker {
	pthread_t th;
	struct token *tk;
	struct tally *t;
	unsigned long signs;
	CK_SESSION_HANDLE s;
	int open;
};

static CK_RV login(struct worker *w)
{
	CK_RV rv = f->C_Login(w->s, CKU_USER, (CK_UTF8CHAR_PTR)pin, pin_len);

	tally_rv(w->t, rv);
	return rv == CKR_USER_ALREADY_LOGGED_IN ? CKR_OK : rv;
}

/* One signature; the random message (32..96 bytes) is verified with OpenSSL. */
static void sign_once(struct worker *w)
{
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE key;
	CK_BYTE data[96], sig[1024], r;
	CK_ULONG siglen = sizeof(sig), n;
	CK_RV rv;

	RAND_bytes(&r, 1);
	n = 32 + (CK_ULONG)(r % 65);
	RAND_bytes(data, (int)n);
	rv = find_one(w->s, CKO_PRIVATE_KEY, w->tk->id_len ? w->tk->id : NULL, w->tk->id_len, &key);
	if (rv == CKR_OK)
		rv = f->C_SignInit(w->s, &mech, key);
	if (rv == CKR_OK)
		rv = f->C_Sign(w->s, data, n, sig, &siglen);
	tally_rv(w->t, rv);
	if (rv != CKR_OK)
		tally_add(w->t, &w->t->failed);
	else if (!verify(w->tk->pub, data, n, sig, siglen))
		tally_add(w->t, &w->t->wrong);
	else
		tally_add(w->t, &w->t->ok);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned long i;
	CK_RV rv;

	rv = f->C_OpenSession(w->tk->slot, CKF_SERIAL_SESSION, NULL, NULL, &w->s);
	if (rv != CKR_OK) {
		tally_rv(w->t, rv);
		for (i = 0; i < w->signs; i++)
			tally_add(w->t, &w->t->failed);
		return NULL;
	}
	w->open = 1;
	rv = login(w);
	for (i = 0; i < w->signs && !stop_req; i++) {
		if (rv != CKR_OK && i > 0)
			rv = login(w);          /* a failed login is tried again */
		if (rv != CKR_OK) {
			tally_add(w->t, &w->t->failed);
			continue;
		}
		sign_once(w);
		if (opt.logout_each) {
			tally_rv(w->t, f->C_Logout(w->s));
			rv = i + 1 < w->signs ? login(w) : CKR_OK;
		}
	}
	return NULL;
}

/* T workers on the token; their sessions stay open for --idle-after-login. */
static void phase(const char *name, unsigned long threads, unsigned long signs, int idle)
{
	struct tally t = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct token tk = { 0 };
	struct worker *w = calloc(threads, sizeof(*w));
	unsigned long i, waited;

	if (!w || read_cert(&tk, &t) != CKR_OK) {
		t.failed += threads * signs;
	} else {
		for (i = 0; i < threads; i++) {
			w[i].tk = &tk;
			w[i].t = &t;
			w[i].signs = signs;
			pthread_create(&w[i].th, NULL, work, &w[i]);
		}
		for (i = 0; i < threads; i++)
			pthread_join(w[i].th, NULL);
	}
	tally_print(name, &t);
	if (idle) {
		printf("p11stress: idle pid=%ld\n", (long)getpid());
		fflush(stdout);
		for (waited = 0; !stop_req && (!opt.idle_secs || waited < opt.idle_secs * 10); waited++)
			usleep(100000);
	}
	for (i = 0; w && i < threads; i++)
		if (w[i].open)
			f->C_CloseSession(w[i].s);
	free(w);
	if (tk.open)
		f->C_CloseSession(tk.s);
	EVP_PKEY_free(tk.pub);
	wrong_total += t.wrong;
	failed_total += t.failed;
}

/* ---- main ----------------------------------------------------------------- */

static void on_signal(int sig)
{
	(void)sig;
	stop_req = 1;
}

/* The PIN file is read with read(2) into our own buffer: no stdio copy. */
static int read_pin_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, pin, sizeof(pin) - 1);
	close(fd);
	if (r <= 0)
		return -1;
	pin_len = (size_t)r;
	while (pin_len && (pin[pin_len - 1] == '\n' || pin[pin_len - 1] == '\r'))
		pin_len--;
	pin[pin_len] = '\0';
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: p11stress --module M [--slot-index I] (--pin P | --pin-file F)\n"
	        "         [--threads T] [--signs N] [--logout-each] [--idle-after-login]\n"
	        "         [--idle-secs S] [--recover] [--recover-delay-ms D] [--wait-token S]\n"
	        "         [--pause-after logout|finalize] [--keep-pin]\n");
}

static int parse(int argc, char **argv)
{
	static const struct option o[] = {
		{ "module", 1, 0, 'm' },      { "slot-index", 1, 0, 's' }, { "pin", 1, 0, 'p' },
		{ "pin-file", 1, 0, 'P' },    { "threads", 1, 0, 't' },    { "signs", 1, 0, 'n' },
		{ "logout-each", 0, 0, 'l' }, { "idle-after-login", 0, 0, 'i' },
		{ "idle-secs", 1, 0, 'I' },   { "recover", 0, 0, 'r' },    { "wait-token", 1, 0, 'w' },
		{ "pause-after", 1, 0, 'a' },
		{ "recover-delay-ms", 1, 0, 'D' }, { "keep-pin", 0, 0, 'k' }, { 0, 0, 0, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", o, NULL)) != -1) {
		switch (c) {
		case 'm': opt.module = optarg; break;
		case 's': opt.slot_index = strtoul(optarg, NULL, 10); break;
		case 'p':
			pin_len = strlen(optarg);
			if (pin_len >= sizeof(pin))
				return -1;
			memcpy(pin, optarg, pin_len + 1);
			explicit_bzero(optarg, pin_len);   /* not in argv, nor in a core dump */
			break;
		case 'P':
			if (read_pin_file(optarg) != 0) {
				fprintf(stderr, "p11stress: cannot read the PIN file\n");
				return -1;
			}
			break;
		case 't': opt.threads = strtoul(optarg, NULL, 10); break;
		case 'n': opt.signs = strtoul(optarg, NULL, 10); break;
		case 'l': opt.logout_each = 1; break;
		case 'i': opt.idle = 1; break;
		case 'I': opt.idle_secs = strtoul(optarg, NULL, 10); break;
		case 'r': opt.recover = 1; break;
		case 'w': opt.wait_token = strtoul(optarg, NULL, 10); break;
		case 'a': opt.pause_after = optarg; break;
		case 'k': opt.keep_pin = 1; break;
		case 'D': opt.recover_delay_ms = strtoul(optarg, NULL, 10); break;
		default: return -1;
		}
	}
	if (!opt.module || !pin_len || !opt.threads || opt.threads > 64 ||
	    (opt.pause_after && strcmp(opt.pause_after, "logout") != 0 &&
	     strcmp(opt.pause_after, "finalize") != 0))
		return -1;
	return 0;
}

/* --pause-after: C_Logout (and C_Finalize) done, our PIN copy wiped, the module
 * still loaded: wait for SIGTERM while a core is taken. */
static void pause_here(void)
{
	CK_SLOT_ID slot;

	if (find_slot(&slot) == CKR_OK) {
		CK_SESSION_HANDLE s;

		if (f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) == CKR_OK) {
			f->C_Logout(s);
			f->C_CloseSession(s);
		}
		f->C_CloseAllSessions(slot);
	}
	if (strcmp(opt.pause_after, "finalize") == 0)
		f->C_Finalize(NULL);
	if (!opt.keep_pin)
		explicit_bzero(pin, sizeof(pin));
	printf("p11stress: paused pid=%ld after=%s\n", (long)getpid(), opt.pause_after);
	fflush(stdout);
	while (!stop_req)
		pause();
}

int main(int argc, char **argv)
{
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);
	CK_C_INITIALIZE_ARGS init = { .flags = CKF_OS_LOCKING_OK };
	struct sigaction sa;
	void *h;
	CK_RV rv;

	if (parse(argc, argv) != 0) {
		usage();
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	h = dlopen(opt.module, RTLD_NOW);
	if (!h || !(get = (CK_RV(*)(CK_FUNCTION_LIST_PTR_PTR))dlsym(h, "C_GetFunctionList"))) {
		fprintf(stderr, "p11stress: %s\n", dlerror());
		return 2;
	}
	if ((rv = get(&f)) != CKR_OK || (rv = f->C_Initialize(&init)) != CKR_OK) {
		fprintf(stderr, "p11stress: C_Initialize: %s\n", ckr_name(rv));
		return 2;
	}
	phase("run", opt.threads, opt.signs, opt.idle);
	if (opt.recover) {
		/* The same process, no C_Finalize: drop what is left, then a new session,
		 * login and one verified signature (docs/reliability.md). */
		CK_SLOT_ID slot;

		/* a removed card needs time to come back (the reader's poll) */
		usleep((useconds_t)(opt.recover_delay_ms * 1000));
		if (find_slot(&slot) == CKR_OK)
			f->C_CloseAllSessions(slot);
		opt.threads = 1;
		opt.signs = 1;
		phase("recover", 1, 1, 0);
	}
	if (opt.pause_after)
		pause_here();
	else
		f->C_Finalize(NULL);
	explicit_bzero(pin, sizeof(pin));
	/* the module stays loaded: dlclose of a module with threads is not the point */
	return wrong_total ? 3 : failed_total ? 1 : 0;
}
