/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_VCARD_CIE_INT_H
#define CARTA_VCARD_CIE_INT_H

/* Internals of the virtual CIE 3.0, shared by the files of tools/vcard/cie.
 * Facts: docs/reference/cie.md (section numbers cited as "docs/reference/cie.md x.y",
 * checklist items as "docs/reference/cie.md 8 E3") and docs/reference/cie-constants.md. */

#include "cie.h"

#include "crypto/crypto.h"
#include "crypto/tools/tools.h"
#include "util/buf.h"

#define CIE_RSA_LEN 256u     /* every RSA key of the card is 2048 bits */
#define CIE_DH_LEN 256u      /* |p|, RFC 5114 2.3 */
#define CIE_DH_Q_LEN 32u     /* |q| */
#define CIE_PIN_LEN 8u       /* PIN and PUK: 8 ASCII digits (docs/reference/cie.md 4) */
#define CIE_PIN_TRIES 3
#define CIE_PUK_TRIES 10
#define CIE_CHR_LEN 12u
#define CIE_CAR_LEN 8u
#define CIE_MAX_PLAIN_RSP 256u

/* Status words (ISO/IEC 7816-4 5.1.3) */
#define SW_OK 0x9000u
#define SW_EOF 0x6282u
#define SW_VERIFY_FAILED 0x6300u
#define SW_WRONG_LEN 0x6700u
#define SW_SECURITY 0x6982u
#define SW_BLOCKED 0x6983u
#define SW_COND 0x6985u
#define SW_SM_MAC 0x6988u
#define SW_DATA 0x6A80u
#define SW_NOT_FOUND 0x6A82u
#define SW_P1P2 0x6A86u
#define SW_REF 0x6A88u
#define SW_OFFSET 0x6B00u
#define SW_INS 0x6D00u
#define SW_CLA 0x6E00u
#define SW_INTERNAL 0x6F00u

enum vcard_cie_df { CIE_DF_MF = 0, CIE_DF_CIE = 1 };

enum vcard_cie_fidx {
	CIE_F_ATR = 0, CIE_F_SN, CIE_F_DH, CIE_F_NIS, CIE_F_SERIAL, CIE_F_CERT,
	CIE_F_K82, CIE_F_K83, CIE_F_SOD, CIE_F_COUNT
};

struct vcard_cie_file {
	uint16_t fid;
	uint8_t sfi;             /* 0 = none */
	enum vcard_cie_df df;
	bool needs_pin_sm;       /* 1002/1003: PIN verified under SM (docs/reference/cie.md 8 G3) */
	struct carta_buf data;
};

/* The personalised content of one card: keys, certificates, files. */
struct vcard_cie_identity {
	/* shared, owned by the key cache (vcard_key_cached): never freed here */
	const struct carta_tk_key *k81, *k82, *k83, *ca;
	struct carta_buf ca_cert, holder_cert;
	uint8_t n_ca[CIE_RSA_LEN];
	struct carta_buf e_ca;
	uint8_t ca_chr[CIE_CHR_LEN];   /* CHR of the terminal CA; CAR = ca_chr[4..] */
	uint8_t ca_cha[7];             /* CHA: DF_CIE AID || role */
	char nis[13];
	char serial[10];
	struct vcard_cie_file files[CIE_F_COUNT];
};

/* One command after transport/SM decoding. */
struct vcard_cie_cmd {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc;
	bool has_le;
	size_t le;               /* 1..256 when has_le */
	bool sm;                 /* it arrived SM-protected */
};

struct vcard_cie_rsp {
	struct carta_buf data;
	uint16_t sw;
	bool reseed;             /* apply next_ssc after wrapping (docs/reference/cie.md 8 F8) */
	uint8_t next_ssc[8];
};

struct vcard_cie_sm {
	bool keys;               /* DH done: K_enc/K_mac/SSC valid (docs/reference/cie.md 8 E2) */
	uint8_t kenc[16], kmac[16], ssc[8];
};

struct vcard_cie_dh {
	bool kat;
	uint8_t puk_icc[CIE_DH_LEN];
	uint8_t puk_ifd[CIE_DH_LEN];   /* as received: may be shorter (docs/reference/cie.md 8 E1) */
	size_t puk_ifd_len;
};

struct vcard_cie_dapp {
	bool dst_ok, cert_ok, chr_set, have_rnd, ext_ok;
	uint8_t ifd_chr[CIE_CHR_LEN];
	uint8_t n_ifd[CIE_RSA_LEN];
	uint8_t e_ifd[4];
	uint8_t rnd_icc[8];
};

struct vcard_cie {
	bool nxp;
	int sm_error_style;
	uint16_t last_try_sw;          /* wrong value that spends the last try: 6983 or 63C0 */
	uint8_t atr[40];
	size_t atr_len;
	struct vcard_cie_identity id;
	uint8_t pin[CIE_PIN_LEN], puk[CIE_PIN_LEN];
	int pin_tries, puk_tries;
	/* volatile state: cleared by a warm reset */
	enum vcard_cie_df df;
	int ef;                        /* index into id.files, -1 none */
	struct vcard_cie_sm sm;
	struct vcard_cie_dh dh;
	struct vcard_cie_dapp dapp;
	uint8_t at_key, at_alg;        /* MSE SET AT 41 A4 */
	bool pin_ok, puk_ok;           /* verified in this SM session */
	bool chaining;
	uint8_t chain_ins, chain_p1, chain_p2;
	struct carta_buf chain;
	struct carta_buf pending;      /* rest of a long response (61xx) */
	size_t pending_off;
	uint16_t pending_sw;
};

/* Constants (cie_consts.c) */
extern const uint8_t vcard_cie_dh_p[CIE_DH_LEN], vcard_cie_dh_g[CIE_DH_LEN],
	vcard_cie_dh_q[CIE_DH_Q_LEN];
extern const uint8_t vcard_cie_d_ca[CIE_RSA_LEN];
extern const uint8_t vcard_cie_aid_ias[13], vcard_cie_aid_cie[6];
extern const uint8_t vcard_cie_cvc_oid[9];

/* The settings an identity directory records (identity.txt, pin.txt,
 * puk.txt); everything else is re-derived from them. */
struct vcard_cie_meta {
	char seed[128];
	char profile[16];
	bool expired;
	char given[64], surname[64], cf[32];
	char pin[CIE_PIN_LEN + 1], puk[CIE_PIN_LEN + 1];
};

/* cie_identity.c / cie_efs.c. With cfg->identity_dir set, ca.der, holder.der,
 * nis.txt and serial.txt of that directory replace the derived ones. */
enum carta_err vcard_cie_identity_make(const struct vcard_config *cfg, bool nxp,
                                       struct vcard_cie_identity *id);
void vcard_cie_identity_free(struct vcard_cie_identity *id);
/* The settings of cfg (defaults filled in) as make-identity records them. */
enum carta_err vcard_cie_meta_from_config(const struct vcard_config *cfg, struct vcard_cie_meta *m);
/* cfg with cfg->identity_dir's recorded settings (seed, names, expiry, PIN and
 * PUK unless cfg sets them) into *out, whose strings point into *m. */
enum carta_err vcard_cie_dir_config(const struct vcard_config *cfg, struct vcard_cie_meta *m,
                                    struct vcard_config *out);
/* carta-vcard make-identity --profile cie-*: derive and write cfg's identity. */
enum carta_err vcard_cie_make_identity_dir(const struct vcard_config *cfg, const char *dir);

/* identity_io.c: the CIE identity directory (docs/virtual-card.md). */
enum carta_err vcard_cie_dir_write(const struct vcard_cie_identity *id,
                                   const struct vcard_cie_meta *m, const char *dir);
enum carta_err vcard_cie_dir_read_meta(const char *dir, struct vcard_cie_meta *m);
enum carta_err vcard_cie_dir_read_files(const char *dir, struct vcard_cie_identity *id);
enum carta_err vcard_cie_efs_make(const char *seed, bool nxp, struct vcard_cie_identity *id);

/* cie_sm.c */
void vcard_cie_ssc_inc(uint8_t ssc[8]);
/* Unwrap an SM APDU into cmd (data in *plain). *sw != 0 means refuse with it. */
enum carta_err vcard_cie_sm_unwrap(struct vcard_cie *c, const uint8_t *apdu, size_t n,
                                   struct vcard_cie_cmd *cmd, struct carta_buf *plain,
                                   uint16_t *sw);
/* Build DO87 + DO99 + DO8E for (data, sw) into out (SSC incremented first). */
enum carta_err vcard_cie_sm_wrap(struct vcard_cie *c, const uint8_t *data, size_t n,
                                 uint16_t sw, struct carta_buf *out);
void vcard_cie_sm_drop(struct vcard_cie *c);

/* Command handlers: fill r (data, sw); an error return means answer 6F00. */
enum carta_err vcard_cie_select(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                struct vcard_cie_rsp *r);
enum carta_err vcard_cie_read_binary(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                     struct vcard_cie_rsp *r);
enum carta_err vcard_cie_get_data(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                  struct vcard_cie_rsp *r);
enum carta_err vcard_cie_mse(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                             struct vcard_cie_rsp *r);
enum carta_err vcard_cie_mse_kat(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                 struct vcard_cie_rsp *r);
enum carta_err vcard_cie_mse_dapp(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                  struct vcard_cie_rsp *r);
enum carta_err vcard_cie_pso_verify_cert(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                         struct vcard_cie_rsp *r);
enum carta_err vcard_cie_get_challenge(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                       struct vcard_cie_rsp *r);
enum carta_err vcard_cie_ext_auth(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                  struct vcard_cie_rsp *r);
enum carta_err vcard_cie_int_auth_dapp(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                       struct vcard_cie_rsp *r);
enum carta_err vcard_cie_int_auth(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                  struct vcard_cie_rsp *r);
enum carta_err vcard_cie_verify(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                struct vcard_cie_rsp *r);
enum carta_err vcard_cie_change(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                struct vcard_cie_rsp *r);
enum carta_err vcard_cie_reset_retry(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                     struct vcard_cie_rsp *r);

/* Shared helpers (cie.c) */
/* Big-endian bytes a (any length) equal to b of blen, ignoring leading zeros. */
bool vcard_cie_num_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* Raw RSA public operation in^e mod n, 256-byte output (cie_dapp.c). */
enum carta_err vcard_cie_rsa_pub(const uint8_t *n, const uint8_t *e, size_t elen,
                                 const uint8_t *in, size_t inlen, uint8_t out[CIE_RSA_LEN]);

#endif
