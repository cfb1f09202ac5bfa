// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

interface IErc20 {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// @title The Ethereum side of the SONM gateway.
/// @notice SNM paid in here is locked and minted on the sidechain by its masternodes; SNM burnt
/// on the sidechain is paid out here on a threshold of the masternodes' ECDSA signatures.
///
/// Every signed message is EIP-712 typed data in the domain (name "SONM Gatekeeper", version
/// "1", this chain's id, this contract, salt = the sidechain's genesis hash) and names the
/// signer set that signed it. Signatures come sorted by signer address, one per signer.
///
/// - Each withdrawal id pays once.
/// - The signer set changes only on the current set's signatures; the previous set's
///   signatures stay valid for `OLD_SET_GRACE` set ids, so that withdrawals signed just before a
///   rotation still pay.
/// - Payouts are held to a daily limit and a token bucket (capacity, refill per second).
/// - A payout of `largePayout` or more is committed and paid by `release` after `payoutDelay`;
///   until then any current signer can cancel it.
/// - Any current signer pauses both directions; unpausing takes the current set's threshold.
contract Gatekeeper {
    bytes32 private constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)"
    );
    bytes32 public constant PAYOUT_TYPEHASH =
        keccak256("Payout(bytes32 id,address to,uint256 amount,uint64 setId)");
    bytes32 public constant SET_CHANGE_TYPEHASH =
        keccak256("SetChange(uint64 newSetId,address[] signers,uint256 threshold,uint64 setId)");
    bytes32 public constant UNPAUSE_TYPEHASH = keccak256("Unpause(uint64 nonce,uint64 setId)");

    /// How many set ids after its own a set's signatures are still accepted.
    uint64 public constant OLD_SET_GRACE = 1;
    /// secp256k1's order / 2: larger `s` values are the malleable twins of valid signatures.
    uint256 private constant HALF_ORDER =
        0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    struct Limits {
        /// The most paid out per UTC day.
        uint256 dailyLimit;
        /// The token bucket's size: the most paid out in a burst.
        uint256 bucketCapacity;
        /// What the bucket regains per second.
        uint256 refillPerSecond;
        /// Payouts of this much or more wait `payoutDelay` seconds.
        uint256 largePayout;
        uint256 payoutDelay;
    }

    struct Pending {
        address to;
        uint256 amount;
        uint64 releaseAt;
    }

    IErc20 public immutable token;
    bytes32 public immutable sidechainGenesis;
    uint256 public immutable dailyLimit;
    uint256 public immutable bucketCapacity;
    uint256 public immutable refillPerSecond;
    uint256 public immutable largePayout;
    uint256 public immutable payoutDelay;

    /// The current signer set.
    uint64 public setId;
    mapping(uint64 => address[]) private members;
    mapping(uint64 => mapping(address => bool)) public isSigner;
    mapping(uint64 => uint256) public thresholdOf;

    /// Withdrawal ids paid or committed.
    mapping(bytes32 => bool) public used;
    /// Large payouts waiting for their delay.
    mapping(bytes32 => Pending) public pending;

    uint256 public day;
    uint256 public paidToday;
    uint256 public bucketLevel;
    uint256 public bucketUpdatedAt;

    bool public paused;
    uint64 public unpauseNonce;
    /// Deposits so far; each `PaidIn` carries its number.
    uint256 public deposits;

    event PaidIn(uint256 indexed deposit, address indexed from, bytes32 indexed recipient, uint256 amount);
    event PaidOut(bytes32 indexed id, address indexed to, uint256 amount);
    event PayoutCommitted(bytes32 indexed id, address indexed to, uint256 amount, uint64 releaseAt);
    event PayoutCancelled(bytes32 indexed id, address indexed by);
    event SignerSetChanged(uint64 indexed setId, address[] signers, uint256 threshold);
    event Paused(address indexed by);
    event Unpaused(uint64 nonce);

    error IsPaused();
    error ZeroAmount();
    error ZeroRecipient();
    error AlreadyUsed(bytes32 id);
    error StaleSet(uint64 signedSet, uint64 currentSet);
    error TooFewSignatures(uint256 given, uint256 needed);
    error BadSignature(uint256 index);
    error UnsortedSignatures(uint256 index);
    error UnknownSigner(address signer);
    error DailyLimitExceeded(uint256 left);
    error RateLimited(uint256 available);
    error NotPending(bytes32 id);
    error TooEarly(uint64 releaseAt);
    error NotSigner(address caller);
    error BadSignerSet();
    error TransferFailed();

    constructor(IErc20 token_, bytes32 genesis, address[] memory signers, uint256 threshold, Limits memory limits) {
        token = token_;
        sidechainGenesis = genesis;
        dailyLimit = limits.dailyLimit;
        bucketCapacity = limits.bucketCapacity;
        refillPerSecond = limits.refillPerSecond;
        largePayout = limits.largePayout;
        payoutDelay = limits.payoutDelay;
        bucketLevel = limits.bucketCapacity;
        bucketUpdatedAt = block.timestamp;
        _install(0, signers, threshold);
    }

    // --- SNM in ---

    /// Locks `amount` (approved beforehand) for `recipient`, a sidechain account (32 bytes).
    function payIn(uint256 amount, bytes32 recipient) external {
        if (paused) revert IsPaused();
        if (amount == 0) revert ZeroAmount();
        if (recipient == bytes32(0)) revert ZeroRecipient();
        if (!token.transferFrom(msg.sender, address(this), amount)) revert TransferFailed();
        deposits += 1;
        emit PaidIn(deposits, msg.sender, recipient, amount);
    }

    // --- SNM out ---

    /// Pays withdrawal `id` of `amount` to `to`, signed by set `signedSet`; a large one is
    /// committed and paid by `release` after the delay.
    function payOut(bytes32 id, address to, uint256 amount, uint64 signedSet, bytes[] calldata signatures)
        external
    {
        if (paused) revert IsPaused();
        if (used[id]) revert AlreadyUsed(id);
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroRecipient();
        bytes32 digest = _digest(keccak256(abi.encode(PAYOUT_TYPEHASH, id, to, amount, signedSet)));
        _verify(digest, signedSet, signatures, true);
        used[id] = true;
        _spend(amount);
        if (amount >= largePayout) {
            uint64 releaseAt = uint64(block.timestamp + payoutDelay);
            pending[id] = Pending(to, amount, releaseAt);
            emit PayoutCommitted(id, to, amount, releaseAt);
        } else {
            _send(to, amount);
            emit PaidOut(id, to, amount);
        }
    }

    /// Pays a committed large payout once its delay has passed; anyone may call it.
    function release(bytes32 id) external {
        if (paused) revert IsPaused();
        Pending memory payout = pending[id];
        if (payout.to == address(0)) revert NotPending(id);
        if (block.timestamp < payout.releaseAt) revert TooEarly(payout.releaseAt);
        delete pending[id];
        _send(payout.to, payout.amount);
        emit PaidOut(id, payout.to, payout.amount);
    }

    /// Cancels a committed large payout; any signer of the current set. Its id stays used.
    function cancel(bytes32 id) external {
        if (!isSigner[setId][msg.sender]) revert NotSigner(msg.sender);
        if (pending[id].to == address(0)) revert NotPending(id);
        delete pending[id];
        emit PayoutCancelled(id, msg.sender);
    }

    // --- the signer set ---

    /// Installs the next signer set, signed by the current one.
    function rotate(address[] calldata signers, uint256 threshold, bytes[] calldata signatures) external {
        uint64 next = setId + 1;
        bytes32 digest = _digest(
            keccak256(
                abi.encode(SET_CHANGE_TYPEHASH, next, keccak256(abi.encodePacked(signers)), threshold, setId)
            )
        );
        _verify(digest, setId, signatures, false);
        _install(next, signers, threshold);
    }

    /// The signers of set `id`.
    function signersOf(uint64 id) external view returns (address[] memory) {
        return members[id];
    }

    // --- pause ---

    /// Stops payIn, payOut and release; any signer of the current set.
    function pause() external {
        if (!isSigner[setId][msg.sender]) revert NotSigner(msg.sender);
        paused = true;
        emit Paused(msg.sender);
    }

    /// Resumes, on the current set's threshold of signatures over `Unpause(unpauseNonce, setId)`.
    function unpause(bytes[] calldata signatures) external {
        bytes32 digest = _digest(keccak256(abi.encode(UNPAUSE_TYPEHASH, unpauseNonce, setId)));
        _verify(digest, setId, signatures, false);
        paused = false;
        emit Unpaused(unpauseNonce);
        unpauseNonce += 1;
    }

    // --- EIP-712 ---

    /// The EIP-712 domain separator.
    function domainSeparator() public view returns (bytes32) {
        return keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256("SONM Gatekeeper"),
                keccak256("1"),
                block.chainid,
                address(this),
                sidechainGenesis
            )
        );
    }

    function _digest(bytes32 structHash) private view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    /// Checks that `signatures` over `digest` are a threshold of set `signedSet`, each signer
    /// once; an older set only within the grace and only where `oldAllowed`.
    function _verify(bytes32 digest, uint64 signedSet, bytes[] calldata signatures, bool oldAllowed) private view {
        bool current = signedSet == setId;
        bool graced = oldAllowed && signedSet < setId && signedSet + OLD_SET_GRACE >= setId;
        if (!current && !graced) revert StaleSet(signedSet, setId);
        uint256 needed = thresholdOf[signedSet];
        if (signatures.length < needed) revert TooFewSignatures(signatures.length, needed);
        address last = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            address signer = _recover(digest, signatures[i], i);
            if (signer <= last) revert UnsortedSignatures(i);
            if (!isSigner[signedSet][signer]) revert UnknownSigner(signer);
            last = signer;
        }
    }

    function _recover(bytes32 digest, bytes calldata signature, uint256 index) private pure returns (address) {
        if (signature.length != 65) revert BadSignature(index);
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (uint256(s) > HALF_ORDER || (v != 27 && v != 28)) revert BadSignature(index);
        address signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert BadSignature(index);
        return signer;
    }

    // --- internals ---

    /// A set of distinct non-zero signers, sorted, whose threshold is more than two thirds.
    function _install(uint64 id, address[] memory signers, uint256 threshold) private {
        if (signers.length == 0 || threshold > signers.length || threshold * 3 <= signers.length * 2) {
            revert BadSignerSet();
        }
        address last = address(0);
        for (uint256 i = 0; i < signers.length; i++) {
            if (signers[i] <= last) revert BadSignerSet();
            isSigner[id][signers[i]] = true;
            last = signers[i];
        }
        members[id] = signers;
        thresholdOf[id] = threshold;
        setId = id;
        emit SignerSetChanged(id, signers, threshold);
    }

    /// Takes `amount` from today's limit and from the bucket.
    function _spend(uint256 amount) private {
        uint256 today = block.timestamp / 1 days;
        if (today != day) {
            day = today;
            paidToday = 0;
        }
        if (paidToday + amount > dailyLimit) revert DailyLimitExceeded(dailyLimit - paidToday);
        paidToday += amount;
        uint256 elapsed = block.timestamp > bucketUpdatedAt ? block.timestamp - bucketUpdatedAt : 0;
        uint256 level = bucketLevel + elapsed * refillPerSecond;
        if (level > bucketCapacity) level = bucketCapacity;
        if (amount > level) revert RateLimited(level);
        bucketLevel = level - amount;
        bucketUpdatedAt = block.timestamp;
    }

    function _send(address to, uint256 amount) private {
        if (!token.transfer(to, amount)) revert TransferFailed();
    }
}
