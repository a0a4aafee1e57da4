"""The default trust lists: every name amber.load accepts without `trusted=[...]`.

docs/security.md explains what is here and why. Each entry is one exact fully qualified name
(`module:qualname`); a module maps to its trusted names, space separated. Nothing is matched
by prefix or pattern. tests/python/test_dump_load_trust.py checks that every estimator of
sklearn.utils.all_estimators() is here.
"""

from __future__ import annotations

#: scikit-learn's estimators: sklearn.utils.all_estimators(), experimental ones included.
ESTIMATORS = {
    "sklearn.calibration": "CalibratedClassifierCV",
    "sklearn.cluster._affinity_propagation": "AffinityPropagation",
    "sklearn.cluster._agglomerative": "AgglomerativeClustering FeatureAgglomeration",
    "sklearn.cluster._bicluster": "SpectralBiclustering SpectralCoclustering",
    "sklearn.cluster._birch": "Birch",
    "sklearn.cluster._bisect_k_means": "BisectingKMeans",
    "sklearn.cluster._dbscan": "DBSCAN",
    "sklearn.cluster._hdbscan.hdbscan": "HDBSCAN",
    "sklearn.cluster._kmeans": "KMeans MiniBatchKMeans",
    "sklearn.cluster._mean_shift": "MeanShift",
    "sklearn.cluster._optics": "OPTICS",
    "sklearn.cluster._spectral": "SpectralClustering",
    "sklearn.compose._column_transformer": "ColumnTransformer",
    "sklearn.compose._target": "TransformedTargetRegressor",
    "sklearn.covariance._elliptic_envelope": "EllipticEnvelope",
    "sklearn.covariance._empirical_covariance": "EmpiricalCovariance",
    "sklearn.covariance._graph_lasso": "GraphicalLasso GraphicalLassoCV",
    "sklearn.covariance._robust_covariance": "MinCovDet",
    "sklearn.covariance._shrunk_covariance": "LedoitWolf OAS ShrunkCovariance",
    "sklearn.cross_decomposition._pls": "CCA PLSCanonical PLSRegression PLSSVD",
    "sklearn.decomposition._dict_learning": (
        "DictionaryLearning MiniBatchDictionaryLearning SparseCoder"
    ),
    "sklearn.decomposition._factor_analysis": "FactorAnalysis",
    "sklearn.decomposition._fastica": "FastICA",
    "sklearn.decomposition._incremental_pca": "IncrementalPCA",
    "sklearn.decomposition._kernel_pca": "KernelPCA",
    "sklearn.decomposition._lda": "LatentDirichletAllocation",
    "sklearn.decomposition._nmf": "MiniBatchNMF NMF",
    "sklearn.decomposition._pca": "PCA",
    "sklearn.decomposition._sparse_pca": "MiniBatchSparsePCA SparsePCA",
    "sklearn.decomposition._truncated_svd": "TruncatedSVD",
    "sklearn.discriminant_analysis": "LinearDiscriminantAnalysis QuadraticDiscriminantAnalysis",
    "sklearn.dummy": "DummyClassifier DummyRegressor",
    "sklearn.ensemble._bagging": "BaggingClassifier BaggingRegressor",
    "sklearn.ensemble._forest": (
        "ExtraTreesClassifier ExtraTreesRegressor RandomForestClassifier RandomForestRegressor "
        "RandomTreesEmbedding"
    ),
    "sklearn.ensemble._gb": "GradientBoostingClassifier GradientBoostingRegressor",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting": (
        "HistGradientBoostingClassifier HistGradientBoostingRegressor"
    ),
    "sklearn.ensemble._iforest": "IsolationForest",
    "sklearn.ensemble._stacking": "StackingClassifier StackingRegressor",
    "sklearn.ensemble._voting": "VotingClassifier VotingRegressor",
    "sklearn.ensemble._weight_boosting": "AdaBoostClassifier AdaBoostRegressor",
    "sklearn.feature_extraction._dict_vectorizer": "DictVectorizer",
    "sklearn.feature_extraction._hash": "FeatureHasher",
    "sklearn.feature_extraction.image": "PatchExtractor",
    "sklearn.feature_extraction.text": (
        "CountVectorizer HashingVectorizer TfidfTransformer TfidfVectorizer"
    ),
    "sklearn.feature_selection._from_model": "SelectFromModel",
    "sklearn.feature_selection._rfe": "RFE RFECV",
    "sklearn.feature_selection._sequential": "SequentialFeatureSelector",
    "sklearn.feature_selection._univariate_selection": (
        "GenericUnivariateSelect SelectFdr SelectFpr SelectFwe SelectKBest SelectPercentile"
    ),
    "sklearn.feature_selection._variance_threshold": "VarianceThreshold",
    "sklearn.frozen._frozen": "FrozenEstimator",
    "sklearn.gaussian_process._gpc": "GaussianProcessClassifier",
    "sklearn.gaussian_process._gpr": "GaussianProcessRegressor",
    "sklearn.impute._base": "MissingIndicator SimpleImputer",
    "sklearn.impute._iterative": "IterativeImputer",
    "sklearn.impute._knn": "KNNImputer",
    "sklearn.isotonic": "IsotonicRegression",
    "sklearn.kernel_approximation": (
        "AdditiveChi2Sampler Nystroem PolynomialCountSketch RBFSampler SkewedChi2Sampler"
    ),
    "sklearn.kernel_ridge": "KernelRidge",
    "sklearn.linear_model._base": "LinearRegression",
    "sklearn.linear_model._bayes": "ARDRegression BayesianRidge",
    "sklearn.linear_model._coordinate_descent": (
        "ElasticNet ElasticNetCV Lasso LassoCV MultiTaskElasticNet MultiTaskElasticNetCV "
        "MultiTaskLasso MultiTaskLassoCV"
    ),
    "sklearn.linear_model._glm.glm": "GammaRegressor PoissonRegressor TweedieRegressor",
    "sklearn.linear_model._huber": "HuberRegressor",
    "sklearn.linear_model._least_angle": "Lars LarsCV LassoLars LassoLarsCV LassoLarsIC",
    "sklearn.linear_model._logistic": "LogisticRegression LogisticRegressionCV",
    "sklearn.linear_model._omp": "OrthogonalMatchingPursuit OrthogonalMatchingPursuitCV",
    "sklearn.linear_model._passive_aggressive": (
        "PassiveAggressiveClassifier PassiveAggressiveRegressor"
    ),
    "sklearn.linear_model._perceptron": "Perceptron",
    "sklearn.linear_model._quantile": "QuantileRegressor",
    "sklearn.linear_model._ransac": "RANSACRegressor",
    "sklearn.linear_model._ridge": "Ridge RidgeCV RidgeClassifier RidgeClassifierCV",
    "sklearn.linear_model._stochastic_gradient": "SGDClassifier SGDOneClassSVM SGDRegressor",
    "sklearn.linear_model._theil_sen": "TheilSenRegressor",
    "sklearn.manifold._classical_mds": "ClassicalMDS",
    "sklearn.manifold._isomap": "Isomap",
    "sklearn.manifold._locally_linear": "LocallyLinearEmbedding",
    "sklearn.manifold._mds": "MDS",
    "sklearn.manifold._spectral_embedding": "SpectralEmbedding",
    "sklearn.manifold._t_sne": "TSNE",
    "sklearn.mixture._bayesian_mixture": "BayesianGaussianMixture",
    "sklearn.mixture._gaussian_mixture": "GaussianMixture",
    "sklearn.model_selection._classification_threshold": (
        "FixedThresholdClassifier TunedThresholdClassifierCV"
    ),
    "sklearn.model_selection._search": "GridSearchCV RandomizedSearchCV",
    "sklearn.model_selection._search_successive_halving": (
        "HalvingGridSearchCV HalvingRandomSearchCV"
    ),
    "sklearn.multiclass": "OneVsOneClassifier OneVsRestClassifier OutputCodeClassifier",
    "sklearn.multioutput": (
        "ClassifierChain MultiOutputClassifier MultiOutputRegressor RegressorChain"
    ),
    "sklearn.naive_bayes": "BernoulliNB CategoricalNB ComplementNB GaussianNB MultinomialNB",
    "sklearn.neighbors._classification": "KNeighborsClassifier RadiusNeighborsClassifier",
    "sklearn.neighbors._graph": "KNeighborsTransformer RadiusNeighborsTransformer",
    "sklearn.neighbors._kde": "KernelDensity",
    "sklearn.neighbors._lof": "LocalOutlierFactor",
    "sklearn.neighbors._nca": "NeighborhoodComponentsAnalysis",
    "sklearn.neighbors._nearest_centroid": "NearestCentroid",
    "sklearn.neighbors._regression": "KNeighborsRegressor RadiusNeighborsRegressor",
    "sklearn.neighbors._unsupervised": "NearestNeighbors",
    "sklearn.neural_network._multilayer_perceptron": "MLPClassifier MLPRegressor",
    "sklearn.neural_network._rbm": "BernoulliRBM",
    "sklearn.pipeline": "FeatureUnion Pipeline",
    "sklearn.preprocessing._data": (
        "Binarizer KernelCenterer MaxAbsScaler MinMaxScaler Normalizer PowerTransformer "
        "QuantileTransformer RobustScaler StandardScaler"
    ),
    "sklearn.preprocessing._discretization": "KBinsDiscretizer",
    "sklearn.preprocessing._encoders": "OneHotEncoder OrdinalEncoder",
    "sklearn.preprocessing._function_transformer": "FunctionTransformer",
    "sklearn.preprocessing._label": "LabelBinarizer LabelEncoder MultiLabelBinarizer",
    "sklearn.preprocessing._polynomial": "PolynomialFeatures SplineTransformer",
    "sklearn.preprocessing._target_encoder": "TargetEncoder",
    "sklearn.random_projection": "GaussianRandomProjection SparseRandomProjection",
    "sklearn.semi_supervised._label_propagation": "LabelPropagation LabelSpreading",
    "sklearn.semi_supervised._self_training": "SelfTrainingClassifier",
    "sklearn.svm._classes": "LinearSVC LinearSVR NuSVC NuSVR OneClassSVM SVC SVR",
    "sklearn.tree._classes": (
        "DecisionTreeClassifier DecisionTreeRegressor ExtraTreeClassifier ExtraTreeRegressor"
    ),
}

#: scikit-learn's internal types that fitted estimators hold (trees, losses, links, binning,
#: neighbors trees and distance metrics, kernels, splitters, scorers, CF-tree nodes, ...).
INTERNAL_TYPES = {
    "sklearn._loss.link": (
        "HalfLogitLink IdentityLink Interval LogLink LogitLink MultinomialLogit"
    ),
    "sklearn._loss.loss": (
        "AbsoluteError ExponentialLoss HalfBinomialLoss HalfGammaLoss HalfMultinomialLoss "
        "HalfPoissonLoss HalfSquaredError HalfTweedieLoss HalfTweedieLossIdentity HuberLoss "
        "PinballLoss"
    ),
    "sklearn._loss._loss": (
        "CyAbsoluteError CyExponentialLoss CyHalfBinomialLoss CyHalfGammaLoss "
        "CyHalfMultinomialLoss CyHalfPoissonLoss CyHalfSquaredError CyHalfTweedieLoss "
        "CyHalfTweedieLossIdentity CyHuberLoss CyPinballLoss"
    ),
    "sklearn.tree._tree": "Tree",
    "sklearn.ensemble._hist_gradient_boosting.binning": "_BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor": "TreePredictor",
    "sklearn.neighbors._kd_tree": "KDTree KDTree32 KDTree64",
    "sklearn.neighbors._ball_tree": "BallTree BallTree32 BallTree64",
    "sklearn.metrics._dist_metrics": " ".join(
        f"{name}Distance{bits}"
        for name in [
            "BrayCurtis",
            "Canberra",
            "Chebyshev",
            "Dice",
            "Euclidean",
            "Hamming",
            "Haversine",
            "Jaccard",
            "Kulsinski",
            "Mahalanobis",
            "Manhattan",
            "Matching",
            "Minkowski",
            "PyFunc",
            "RogersTanimoto",
            "RussellRao",
            "SEuclidean",
            "SokalMichener",
            "SokalSneath",
        ]  # noqa: E501
        for bits in ("32", "64")
    ),
    "sklearn.linear_model._sgd_fast": (
        "EpsilonInsensitive Hinge ModifiedHuber SquaredEpsilonInsensitive SquaredHinge"
    ),
    "sklearn.gaussian_process.kernels": (
        "CompoundKernel ConstantKernel DotProduct Exponentiation ExpSineSquared Hyperparameter "
        "Matern PairwiseKernel Product RationalQuadratic RBF Sum WhiteKernel"
    ),
    "sklearn.gaussian_process._gpc": ("_BinaryGaussianProcessClassifierLaplace"),
    "sklearn.calibration": "_CalibratedClassifier _SigmoidCalibration",
    "sklearn.compose._column_transformer": "make_column_selector",
    "sklearn.cluster._birch": "_CFNode _CFSubcluster",
    "sklearn.cluster._bisect_k_means": "_BisectingTree",
    "sklearn.cluster._kmeans": "_kmeans_single_elkan _kmeans_single_lloyd",
    "sklearn.multiclass": "_ConstantPredictor",
    "sklearn.neural_network._stochastic_optimizers": "AdamOptimizer SGDOptimizer",
    "sklearn.model_selection._split": (
        "GroupKFold GroupShuffleSplit KFold LeaveOneGroupOut LeaveOneOut LeavePGroupsOut "
        "LeavePOut PredefinedSplit RepeatedKFold RepeatedStratifiedKFold ShuffleSplit "
        "StratifiedGroupKFold StratifiedKFold StratifiedShuffleSplit TimeSeriesSplit "
        "_CVIterableWrapper"
    ),
    "sklearn.metrics._scorer": "_CurveScorer _MultimetricScorer _PassthroughScorer _Scorer",
    "sklearn.utils._bunch": "Bunch",
    "sklearn.utils._metadata_requests": (
        "MetadataRequest MetadataRouter MethodMapping MethodMetadataRequest"
    ),
}

#: scikit-learn's pure functions: scores and metrics, kernels and distances, feature scores,
#: input validation (HistGradientBoosting's preprocessor holds check_array).
SKLEARN_FUNCTIONS = {
    "sklearn.utils.validation": "check_array",
    "sklearn.feature_selection._mutual_info": "mutual_info_classif mutual_info_regression",
    "sklearn.feature_selection._univariate_selection": (
        "chi2 f_classif f_oneway f_regression r_regression"
    ),
    "sklearn.metrics._classification": (
        "accuracy_score balanced_accuracy_score brier_score_loss class_likelihood_ratios "
        "classification_report cohen_kappa_score confusion_matrix d2_brier_score "
        "d2_log_loss_score f1_score fbeta_score hamming_loss hinge_loss jaccard_score log_loss "
        "matthews_corrcoef multilabel_confusion_matrix precision_recall_fscore_support "
        "precision_score recall_score zero_one_loss"
    ),
    "sklearn.metrics._ranking": (
        "auc average_precision_score confusion_matrix_at_thresholds coverage_error dcg_score "
        "det_curve label_ranking_average_precision_score label_ranking_loss "
        "metric_at_thresholds ndcg_score precision_recall_curve roc_auc_score roc_curve "
        "top_k_accuracy_score"
    ),
    "sklearn.metrics._regression": (
        "d2_absolute_error_score d2_pinball_score d2_tweedie_score explained_variance_score "
        "max_error mean_absolute_error mean_absolute_percentage_error mean_gamma_deviance "
        "mean_pinball_loss mean_poisson_deviance mean_squared_error mean_squared_log_error "
        "mean_tweedie_deviance median_absolute_error r2_score root_mean_squared_error "
        "root_mean_squared_log_error"
    ),
    "sklearn.metrics.cluster._bicluster": "consensus_score",
    "sklearn.metrics.cluster._supervised": (
        "adjusted_mutual_info_score adjusted_rand_score completeness_score "
        "fowlkes_mallows_score homogeneity_completeness_v_measure homogeneity_score "
        "mutual_info_score normalized_mutual_info_score pair_confusion_matrix rand_score "
        "v_measure_score"
    ),
    "sklearn.metrics.cluster._unsupervised": (
        "calinski_harabasz_score davies_bouldin_score silhouette_samples silhouette_score"
    ),
    "sklearn.metrics.pairwise": (
        "additive_chi2_kernel chi2_kernel cosine_distances cosine_similarity "
        "euclidean_distances haversine_distances laplacian_kernel linear_kernel "
        "manhattan_distances nan_euclidean_distances paired_cosine_distances paired_distances "
        "paired_euclidean_distances paired_manhattan_distances pairwise_distances "
        "pairwise_distances_argmin pairwise_distances_argmin_min pairwise_kernels "
        "polynomial_kernel rbf_kernel sigmoid_kernel"
    ),
}

#: NumPy: elementwise ufuncs, reductions and shape functions with no side effects, scalar
#: types, masked arrays. Not trusted: anything that reads or writes files, evaluates
#: strings or calls Python objects (load, save, fromfile, frompyfunc, vectorize, ...).
NUMPY = {
    "numpy": (
        "absolute add all amax amin any arccos arccosh arcsin arcsinh arctan arctan2 arctanh "
        "argmax argmin argsort around asanyarray asarray ascontiguousarray atleast_1d atleast_2d "
        "average bitwise_and bitwise_count bitwise_or bitwise_xor bool bytes_ cbrt ceil clip "
        "clongdouble complex128 complex64 complexfloating conjugate copysign cos cosh cumprod "
        "cumsum datetime64 deg2rad degrees diff divide divmod dtype equal exp exp2 expm1 fabs "
        "float16 float32 float64 float_power floating floor floor_divide fmax fmin fmod frexp gcd "
        "generic greater greater_equal heaviside hypot int16 int32 int64 int8 integer invert "
        "isfinite isinf isnan isnat lcm ldexp left_shift less less_equal log log10 log1p log2 "
        "logaddexp logaddexp2 logical_and logical_not logical_or logical_xor longdouble longlong "
        "matmul matvec max maximum mean median min minimum modf multiply nan_to_num nanmax "
        "nanmean nanmedian nanmin nanpercentile nanprod nanquantile nanstd nansum nanvar ndarray "
        "negative nextafter not_equal number object_ percentile positive power prod ptp quantile "
        "rad2deg radians ravel reciprocal remainder right_shift rint round sign signbit "
        "signedinteger sin sinh sort spacing sqrt square squeeze std str_ subtract sum tan tanh "
        "timedelta64 transpose trunc uint16 uint32 uint64 uint8 ulonglong unique unsignedinteger "
        "var vecdot vecmat void"
    ),
    "numpy.ma": "MaskedArray",
}

#: SciPy: special functions (ufuncs and pure functions), the B-spline of SplineTransformer.
SCIPY = {
    "scipy.special": (
        "boxcox boxcox1p erf erfc erfinv expit gammaln inv_boxcox inv_boxcox1p log_expit logit "
        "xlog1py xlogy"
    ),
    "scipy.special._logsumexp": "log_softmax logsumexp softmax",
    "scipy.interpolate._bsplines": "BSpline",
    "scipy._lib.array_api_compat.numpy._aliases": "asarray",
}

#: Builtin types and containers (as values, e.g. `dtype=float`), and collections' dicts.
BUILTINS = {
    "builtins": (
        "bool bytearray bytes complex dict float frozenset int list object range set slice str "
        "tuple abs len max min round sum"
    ),
    "collections": "OrderedDict defaultdict",
}


def _names(*tables: dict) -> frozenset[str]:
    return frozenset(
        f"{module}:{name}" for table in tables for module, names in table.items()
        for name in names.split()
    )  # fmt: skip


#: Every name amber trusts by default.
DEFAULT_TRUSTED: frozenset[str] = _names(
    ESTIMATORS, INTERNAL_TYPES, SKLEARN_FUNCTIONS, NUMPY, SCIPY, BUILTINS
)
