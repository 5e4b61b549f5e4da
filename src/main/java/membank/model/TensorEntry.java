package membank.model;

/**
 * One tensor as the header describes it. begin and end are relative to the start of the data
 * section, as in the file; dataStart turns them into file positions.
 */
record TensorEntry(String name, DType dtype, long[] shape, long begin, long end) {

    long byteCount() {
        return end - begin;
    }
}
