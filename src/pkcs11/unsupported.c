/* SPDX-License-Identifier: BSD-3-Clause */
/* What a read-only card token does not do. Each function still checks its
 * session (carta_p11_refuse), so that the caller learns about a bad handle
 * or a removed token first. Object creation and change:
 * CKR_SESSION_READ_ONLY in a R/O session, else CKR_TOKEN_WRITE_PROTECTED.
 * No RNG is offered (the card API has no GET CHALLENGE): CKF_RNG is unset
 * and C_GenerateRandom says CKR_RANDOM_NO_RNG (v2.40 base 5.15). */
#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
                     CK_OBJECT_HANDLE_PTR phObject)
{
	(void)pTemplate; (void)ulCount; (void)phObject;
	return carta_p11_refuse(__func__, hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                   CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject)
{
	(void)hObject; (void)pTemplate; (void)ulCount; (void)phNewObject;
	return carta_p11_refuse(__func__, hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	(void)hObject;
	return carta_p11_refuse(__func__, hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                          CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	(void)hObject; (void)pTemplate; (void)ulCount;
	return carta_p11_refuse(__func__, hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phKey)
{
	(void)pMechanism; (void)pTemplate; (void)ulCount; (void)phKey;
	return carta_p11_refuse(__func__, hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                        CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount,
                        CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount,
                        CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey)
{
	(void)pMechanism; (void)pPublicKeyTemplate; (void)ulPublicKeyAttributeCount; (void)pPrivateKeyTemplate; (void)ulPrivateKeyAttributeCount; (void)phPublicKey; (void)phPrivateKey;
	return carta_p11_refuse(__func__, hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                  CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey,
                  CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount,
                  CK_OBJECT_HANDLE_PTR phKey)
{
	(void)pMechanism; (void)hUnwrappingKey; (void)pWrappedKey; (void)ulWrappedKeyLen; (void)pTemplate; (void)ulAttributeCount; (void)phKey;
	return carta_p11_refuse(__func__, hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                  CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount,
                  CK_OBJECT_HANDLE_PTR phKey)
{
	(void)pMechanism; (void)hBaseKey; (void)pTemplate; (void)ulAttributeCount; (void)phKey;
	return carta_p11_refuse(__func__, hSession, CKR_TOKEN_WRITE_PROTECTED, true);
}

CK_RV C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey, CK_BYTE_PTR pWrappedKey,
                CK_ULONG_PTR pulWrappedKeyLen)
{
	(void)pMechanism; (void)hWrappingKey; (void)hKey; (void)pWrappedKey; (void)pulWrappedKeyLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_GetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
                          CK_ULONG_PTR pulOperationStateLen)
{
	(void)pOperationState; (void)pulOperationStateLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
                          CK_ULONG ulOperationStateLen, CK_OBJECT_HANDLE hEncryptionKey,
                          CK_OBJECT_HANDLE hAuthenticationKey)
{
	(void)pOperationState; (void)ulOperationStateLen; (void)hEncryptionKey; (void)hAuthenticationKey;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_EncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	(void)pMechanism; (void)hKey;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_Encrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen)
{
	(void)pData; (void)ulDataLen; (void)pEncryptedData; (void)pulEncryptedDataLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_EncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
                      CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	(void)pPart; (void)ulPartLen; (void)pEncryptedPart; (void)pulEncryptedPartLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_EncryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastEncryptedPart,
                     CK_ULONG_PTR pulLastEncryptedPartLen)
{
	(void)pLastEncryptedPart; (void)pulLastEncryptedPartLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SignRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                        CK_OBJECT_HANDLE hKey)
{
	(void)pMechanism; (void)hKey;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SignRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                    CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	(void)pData; (void)ulDataLen; (void)pSignature; (void)pulSignatureLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	(void)pMechanism; (void)hKey;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
               CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	(void)pData; (void)ulDataLen; (void)pSignature; (void)ulSignatureLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	(void)pPart; (void)ulPartLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	(void)pSignature; (void)ulSignatureLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                          CK_OBJECT_HANDLE hKey)
{
	(void)pMechanism; (void)hKey;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen,
                      CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
	(void)pSignature; (void)ulSignatureLen; (void)pData; (void)pulDataLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
                            CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	(void)pPart; (void)ulPartLen; (void)pEncryptedPart; (void)pulEncryptedPartLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
                            CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
	(void)pEncryptedPart; (void)ulEncryptedPartLen; (void)pPart; (void)pulPartLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
                          CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	(void)pPart; (void)ulPartLen; (void)pEncryptedPart; (void)pulEncryptedPartLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
                            CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
	(void)pEncryptedPart; (void)ulEncryptedPartLen; (void)pPart; (void)pulPartLen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
	(void)pSeed; (void)ulSeedLen;
	/* no RNG on the token (CKF_RNG unset): CKR_RANDOM_NO_RNG, which is also
	 * what pkcs11-tool --test takes as "no RNG" rather than an error */
	return carta_p11_refuse(__func__, hSession, CKR_RANDOM_NO_RNG, false);
}

CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData, CK_ULONG ulRandomLen)
{
	(void)RandomData; (void)ulRandomLen;
	return carta_p11_refuse(__func__, hSession, CKR_RANDOM_NO_RNG, false);
}

CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE hSession)
{
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_PARALLEL, false);
}

CK_RV C_CancelFunction(CK_SESSION_HANDLE hSession)
{
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_PARALLEL, false);
}
