package membank.context;

import java.nio.file.Path;

/**
 * What a bank file's header says about it, read without loading (or verifying) its data.
 *
 * @param bytes    size of the file on disk
 * @param checksum the CRC32C of the tensor data the header records, as 8 hex digits
 */
public record StoredBank(String user, Path file, long bytes, int dim, long rows, String checksum) {
}
