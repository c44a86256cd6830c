/* SPDX-License-Identifier: BSD-3-Clause */
/* What a read-only card token does not do. Each function still checks its
 * session, so that the caller learns about a bad handle or a removed token
 * first. Object creation and change: CKR_SESSION_READ_ONLY in a R/O
 * session, else CKR_TOKEN_WRITE_PROTECTED. No RNG is offered (the card API
 * has no GET CHALLENGE): CKF_RNG is unset and C_GenerateRandom says
 * CKR_RANDOM_NO_RNG (v2.40 base 5.15). */
#include "pkcs11/p11.h"

static CK_RV session_rv(CK_SESSION_HANDLE h, CK_RV what, bool write)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(h, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	rv = write && !(ss->flags & CKF_RW_SESSION) ? CKR_SESSION_READ_ONLY : what;
	carta_p11_slot_unlock(s);
	return rv;
}

#define UNUSED(x) (void)(x)

CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phObject)
{
	UNUSED(pTemplate);
	UNUSED(ulCount);
	UNUSED(phObject);
	return session_rv(hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject)
{
	UNUSED(hObject);
	UNUSED(pTemplate);
	UNUSED(ulCount);
	UNUSED(phNewObject);
	return session_rv(hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	UNUSED(hObject);
	return session_rv(hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	UNUSED(hObject);
	UNUSED(pTemplate);
	UNUSED(ulCount);
	return session_rv(hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phKey)
{
	UNUSED(pMechanism);
	UNUSED(pTemplate);
	UNUSED(ulCount);
	UNUSED(phKey);
	return session_rv(hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount, CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount, CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey)
{
	UNUSED(pMechanism);
	UNUSED(pPublicKeyTemplate);
	UNUSED(ulPublicKeyAttributeCount);
	UNUSED(pPrivateKeyTemplate);
	UNUSED(ulPrivateKeyAttributeCount);
	UNUSED(phPublicKey);
	UNUSED(phPrivateKey);
	return session_rv(hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey, CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	UNUSED(pMechanism);
	UNUSED(hUnwrappingKey);
	UNUSED(pWrappedKey);
	UNUSED(ulWrappedKeyLen);
	UNUSED(pTemplate);
	UNUSED(ulAttributeCount);
	UNUSED(phKey);
	return session_rv(hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	UNUSED(pMechanism);
	UNUSED(hBaseKey);
	UNUSED(pTemplate);
	UNUSED(ulAttributeCount);
	UNUSED(phKey);
	return session_rv(hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey, CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen)
{
	UNUSED(pMechanism);
	UNUSED(hWrappingKey);
	UNUSED(hKey);
	UNUSED(pWrappedKey);
	UNUSED(pulWrappedKeyLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_GetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState, CK_ULONG_PTR pulOperationStateLen)
{
	UNUSED(pOperationState);
	UNUSED(pulOperationStateLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState, CK_ULONG ulOperationStateLen, CK_OBJECT_HANDLE hEncryptionKey, CK_OBJECT_HANDLE hAuthenticationKey)
{
	UNUSED(pOperationState);
	UNUSED(ulOperationStateLen);
	UNUSED(hEncryptionKey);
	UNUSED(hAuthenticationKey);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_EncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	UNUSED(pMechanism);
	UNUSED(hKey);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_Encrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen)
{
	UNUSED(pData);
	UNUSED(ulDataLen);
	UNUSED(pEncryptedData);
	UNUSED(pulEncryptedDataLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_EncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	UNUSED(pPart);
	UNUSED(ulPartLen);
	UNUSED(pEncryptedPart);
	UNUSED(pulEncryptedPartLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_EncryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastEncryptedPart, CK_ULONG_PTR pulLastEncryptedPartLen)
{
	UNUSED(pLastEncryptedPart);
	UNUSED(pulLastEncryptedPartLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SignRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	UNUSED(pMechanism);
	UNUSED(hKey);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SignRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	UNUSED(pData);
	UNUSED(ulDataLen);
	UNUSED(pSignature);
	UNUSED(pulSignatureLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	UNUSED(pMechanism);
	UNUSED(hKey);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	UNUSED(pData);
	UNUSED(ulDataLen);
	UNUSED(pSignature);
	UNUSED(ulSignatureLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	UNUSED(pPart);
	UNUSED(ulPartLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	UNUSED(pSignature);
	UNUSED(ulSignatureLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	UNUSED(pMechanism);
	UNUSED(hKey);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen, CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
	UNUSED(pSignature);
	UNUSED(ulSignatureLen);
	UNUSED(pData);
	UNUSED(pulDataLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	UNUSED(pPart);
	UNUSED(ulPartLen);
	UNUSED(pEncryptedPart);
	UNUSED(pulEncryptedPartLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart, CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
	UNUSED(pEncryptedPart);
	UNUSED(ulEncryptedPartLen);
	UNUSED(pPart);
	UNUSED(pulPartLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	UNUSED(pPart);
	UNUSED(ulPartLen);
	UNUSED(pEncryptedPart);
	UNUSED(pulEncryptedPartLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart, CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
	UNUSED(pEncryptedPart);
	UNUSED(ulEncryptedPartLen);
	UNUSED(pPart);
	UNUSED(pulPartLen);
	return session_rv(hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
	UNUSED(pSeed);
	UNUSED(ulSeedLen);
	/* no RNG on the token (CKF_RNG unset): CKR_RANDOM_NO_RNG, which is also
	 * what pkcs11-tool --test takes as "no RNG" rather than an error */
	return session_rv(hSession, CKR_RANDOM_NO_RNG, false);
}

CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData, CK_ULONG ulRandomLen)
{
	UNUSED(RandomData);
	UNUSED(ulRandomLen);
	return session_rv(hSession, CKR_RANDOM_NO_RNG, false);
}

CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE hSession)
{
	return session_rv(hSession, CKR_FUNCTION_NOT_PARALLEL, false);
}

CK_RV C_CancelFunction(CK_SESSION_HANDLE hSession)
{
	return session_rv(hSession, CKR_FUNCTION_NOT_PARALLEL, false);
}

