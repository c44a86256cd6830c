/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_P11_H
#define CARTA_P11_H

/* The entry points' own header: what the p11-kit 0.24 header lacks of
 * PKCS#11 v3.0 (types, flags, the v3.0 functions), and the export
 * attribute of the three exported symbols (interface.c). The state they
 * work on is in core/state.h. */

#include <p11-kit/pkcs11.h>

#define CARTA_P11_EXPORT __attribute__((visibility("default")))

/* ---- PKCS#11 v3.0 types the p11-kit 0.24 header does not have (v3.0 spec 3.x) */
#ifndef CKF_INTERFACE_FORK_SAFE
#define CKF_INTERFACE_FORK_SAFE 0x00000001UL
#endif
#ifndef CKF_FIND_OBJECTS
#define CKF_FIND_OBJECTS 0x00000040UL
#endif
#ifndef CKF_END_OF_MESSAGE
#define CKF_END_OF_MESSAGE 0x00000001UL
#endif

struct carta_p11_interface {          /* CK_INTERFACE */
	CK_UTF8CHAR *pInterfaceName;
	void *pFunctionList;
	CK_FLAGS flags;
};

CK_RV C_GetInterfaceList(struct carta_p11_interface *list, CK_ULONG *count);
CK_RV C_GetInterface(CK_UTF8CHAR *name, CK_VERSION *version,
                     struct carta_p11_interface **iface, CK_FLAGS flags);
CK_RV C_LoginUser(CK_SESSION_HANDLE h, CK_USER_TYPE type, CK_UTF8CHAR *pin, CK_ULONG pinlen,
                  CK_UTF8CHAR *user, CK_ULONG userlen);
CK_RV C_SessionCancel(CK_SESSION_HANDLE h, CK_FLAGS flags);
CK_RV C_MessageEncryptInit(CK_SESSION_HANDLE h, CK_MECHANISM *m, CK_OBJECT_HANDLE k);
CK_RV C_EncryptMessage(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl,
                       CK_BYTE *in, CK_ULONG inl, CK_BYTE *out, CK_ULONG *outl);
CK_RV C_EncryptMessageBegin(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl);
CK_RV C_EncryptMessageNext(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *in, CK_ULONG inl,
                           CK_BYTE *out, CK_ULONG *outl, CK_FLAGS flags);
CK_RV C_MessageEncryptFinal(CK_SESSION_HANDLE h);
CK_RV C_MessageDecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM *m, CK_OBJECT_HANDLE k);
CK_RV C_DecryptMessage(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl,
                       CK_BYTE *in, CK_ULONG inl, CK_BYTE *out, CK_ULONG *outl);
CK_RV C_DecryptMessageBegin(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl);
CK_RV C_DecryptMessageNext(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *in, CK_ULONG inl,
                           CK_BYTE *out, CK_ULONG *outl, CK_FLAGS flags);
CK_RV C_MessageDecryptFinal(CK_SESSION_HANDLE h);
CK_RV C_MessageSignInit(CK_SESSION_HANDLE h, CK_MECHANISM *m, CK_OBJECT_HANDLE k);
CK_RV C_SignMessage(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl,
                    CK_BYTE *sig, CK_ULONG *sigl);
CK_RV C_SignMessageBegin(CK_SESSION_HANDLE h, void *p, CK_ULONG pl);
CK_RV C_SignMessageNext(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl,
                        CK_BYTE *sig, CK_ULONG *sigl);
CK_RV C_MessageSignFinal(CK_SESSION_HANDLE h);
CK_RV C_MessageVerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM *m, CK_OBJECT_HANDLE k);
CK_RV C_VerifyMessage(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl,
                      CK_BYTE *sig, CK_ULONG sigl);
CK_RV C_VerifyMessageBegin(CK_SESSION_HANDLE h, void *p, CK_ULONG pl);
CK_RV C_VerifyMessageNext(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl,
                          CK_BYTE *sig, CK_ULONG sigl);
CK_RV C_MessageVerifyFinal(CK_SESSION_HANDLE h);

#endif
