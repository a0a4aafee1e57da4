// Registration entry points of the preprocessing family's compiler files.
#pragma once

namespace amber::rt {

/// Scalers, Normalizer, Binarizer, imputers, feature selectors (preprocessing_scalers.cpp).
void register_scalers();
/// OneHotEncoder, OrdinalEncoder (preprocessing_encoders.cpp).
void register_encoders();
/// FunctionTransformer with NumPy ufuncs (preprocessing_function.cpp).
void register_function_transformer();

}  // namespace amber::rt
