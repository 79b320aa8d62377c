#include "core/import/keras_h5.h"

#include <hdf5.h>
#include <torch/torch.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "core/common/child_process.h"

namespace pseg {
namespace {

// Closes an HDF5 id on scope exit.
class Handle {
 public:
  using Close = herr_t (*)(hid_t);
  Handle(hid_t id, Close close) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  bool ok() const { return id_ >= 0; }
  operator hid_t() const { return id_; }

 private:
  hid_t id_;
  Close close_;
};

// HDF5 prints its error stack to stderr by default; failures here become exceptions instead.
class QuietErrors {
 public:
  QuietErrors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// A string-array attribute (fixed-length or variable-length strings); an empty numeric array reads as no strings,
// which is how Keras stores `weight_names` of a layer without weights.
std::vector<std::string> string_list_attr(hid_t obj, const char* name, const std::string& where) {
  if (H5Aexists(obj, name) <= 0) throw std::runtime_error(where + ": attribute " + name + " is missing");
  const Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  const Handle type(H5Aget_type(attr), H5Tclose);
  const Handle space(H5Aget_space(attr), H5Sclose);
  if (!attr.ok() || !type.ok() || !space.ok()) throw std::runtime_error(where + ": cannot read attribute " + name);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 0) throw std::runtime_error(where + ": cannot read attribute " + name);
  // Attributes hold layer and weight names, a few hundred of them; their sizes come from the file.
  if (n > (1 << 20)) throw std::runtime_error(where + ": attribute " + name + " is implausibly large");
  if (H5Tget_class(type) != H5T_STRING) {
    if (n == 0) return {};
    throw std::runtime_error(where + ": attribute " + name + " is not a list of strings");
  }
  std::vector<std::string> out;
  if (H5Tis_variable_str(type) > 0) {
    std::vector<char*> buf(static_cast<size_t>(n), nullptr);
    const Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem, H5T_VARIABLE);
    if (H5Aread(attr, mem, buf.data()) < 0) throw std::runtime_error(where + ": cannot read attribute " + name);
    for (char* s : buf) out.emplace_back(s ? s : "");
    H5Dvlen_reclaim(mem, space, H5P_DEFAULT, buf.data());
  } else {
    const size_t width = H5Tget_size(type);
    if (width == 0 || static_cast<uint64_t>(n) > (uint64_t{16} << 20) / width)
      throw std::runtime_error(where + ": attribute " + name + " is implausibly large");
    std::vector<char> buf(static_cast<size_t>(n) * width + 1, '\0');
    if (H5Aread(attr, type, buf.data()) < 0) throw std::runtime_error(where + ": cannot read attribute " + name);
    for (hssize_t i = 0; i < n; ++i) {
      const char* s = buf.data() + static_cast<size_t>(i) * width;
      out.emplace_back(s, strnlen(s, width));
    }
  }
  return out;
}

torch::Tensor read_float_dataset(hid_t group, const std::string& name, const std::string& where, uint64_t file_size) {
  if (H5Lexists(group, name.c_str(), H5P_DEFAULT) <= 0) throw std::runtime_error(where + ": dataset is missing");
  const Handle ds(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) throw std::runtime_error(where + ": cannot open the dataset");
  const Handle type(H5Dget_type(ds), H5Tclose);
  if (H5Tget_class(type) != H5T_FLOAT) throw std::runtime_error(where + ": not a floating-point dataset");
  const Handle space(H5Dget_space(ds), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) throw std::runtime_error(where + ": cannot read the dataset shape");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  // The shape is whatever the file says: before anything that size is allocated, it must fit the data the file
  // holds. Contiguous data lies between its offset and the end of the file; chunks may be compressed (weights
  // compress far less than 64x); 16 MiB allows data left at its fill value.
  const haddr_t offset = H5Dget_offset(ds);
  const uint64_t allowed = offset != HADDR_UNDEF ? (offset < file_size ? file_size - offset : 0)
                                                 : H5Dget_storage_size(ds) * 64 + (uint64_t{16} << 20);
  uint64_t bytes = sizeof(float);
  for (const hsize_t d : dims)
    if (d != 0 && bytes > allowed / d) throw std::runtime_error(where + ": dataset shape larger than the data stored");
    else bytes *= d;
  torch::Tensor t = torch::empty(std::vector<int64_t>(dims.begin(), dims.end()), torch::kFloat);
  if (t.numel() > 0 && H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data_ptr<float>()) < 0)
    throw std::runtime_error(where + ": cannot read the data (truncated file?)");
  return t;
}

// "conv2d_75/kernel:0" -> "kernel"
std::string short_weight_name(const std::string& dataset) {
  const size_t slash = dataset.rfind('/');
  std::string s = slash == std::string::npos ? dataset : dataset.substr(slash + 1);
  return s.substr(0, s.find(':'));
}

std::vector<KerasLayer> read_in_this_process(const std::string& path) {
  const QuietErrors quiet;
  if (H5Fis_hdf5(path.c_str()) <= 0) throw std::runtime_error(path + ": not an HDF5 file");
  const Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.ok()) throw std::runtime_error(path + ": cannot open as HDF5 (truncated or damaged)");
  const bool full_model = H5Lexists(file, "model_weights", H5P_DEFAULT) > 0;
  const Handle root(H5Gopen2(file, full_model ? "model_weights" : "/", H5P_DEFAULT), H5Gclose);
  if (!root.ok()) throw std::runtime_error(path + ": cannot open the weights group");
  if (H5Aexists(root, "layer_names") <= 0)
    throw std::runtime_error(path + ": not a Keras weights file (no layer_names attribute)");
  const uint64_t file_size = std::filesystem::file_size(path);
  std::vector<KerasLayer> layers;
  for (const std::string& layer : string_list_attr(root, "layer_names", path)) {
    const std::string where = path + ": layer " + layer;
    const Handle group(H5Gopen2(root, layer.c_str(), H5P_DEFAULT), H5Gclose);
    if (!group.ok()) throw std::runtime_error(where + ": group is missing");
    KerasLayer l;
    l.name = layer;
    for (const std::string& w : string_list_attr(group, "weight_names", where))
      l.weights.push_back({short_weight_name(w), w, read_float_dataset(group, w, where + ": " + w, file_size)});
    if (!l.weights.empty()) layers.push_back(std::move(l));
  }
  return layers;
}

// The layers as bytes, from the child that read them to the parent: counts and sizes as uint64, names as bytes,
// float data as stored.
void put(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
void put(std::string& out, const std::string& s) {
  put(out, s.size());
  out += s;
}

std::string serialise(const std::vector<KerasLayer>& layers) {
  std::string out;
  put(out, layers.size());
  for (const auto& l : layers) {
    put(out, l.name);
    put(out, l.weights.size());
    for (const auto& w : l.weights) {
      put(out, w.name);
      put(out, w.dataset);
      put(out, static_cast<uint64_t>(w.value.dim()));
      for (const int64_t d : w.value.sizes()) put(out, static_cast<uint64_t>(d));
      out.append(static_cast<const char*>(w.value.data_ptr()), static_cast<size_t>(w.value.numel()) * sizeof(float));
    }
  }
  return out;
}

class Reader {
 public:
  explicit Reader(const std::string& bytes) : bytes_(bytes) {}
  uint64_t number() {
    uint64_t v = 0;
    std::memcpy(&v, take(sizeof v), sizeof v);
    return v;
  }
  std::string text() {
    const uint64_t n = number();
    return std::string(take(n), n);
  }
  const char* take(uint64_t n) {
    if (n > bytes_.size() - at_) throw std::runtime_error("truncated layer data from the HDF5 reader");
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }

 private:
  const std::string& bytes_;
  size_t at_ = 0;
};

std::vector<KerasLayer> deserialise(const std::string& bytes) {
  Reader in(bytes);
  std::vector<KerasLayer> layers(in.number());
  for (auto& l : layers) {
    l.name = in.text();
    l.weights.resize(in.number());
    for (auto& w : l.weights) {
      w.name = in.text();
      w.dataset = in.text();
      std::vector<int64_t> shape(in.number());
      for (auto& d : shape) d = static_cast<int64_t>(in.number());
      w.value = torch::empty(shape, torch::kFloat);
      std::memcpy(w.value.data_ptr(), in.take(static_cast<uint64_t>(w.value.numel()) * sizeof(float)),
                  static_cast<size_t>(w.value.numel()) * sizeof(float));
    }
  }
  return layers;
}

}  // namespace

std::vector<KerasLayer> read_keras_h5(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(path + ": no such file");
  // libhdf5 is not safe on malformed files (tests/fuzz/fuzz_import_keras_h5.cpp found a heap-buffer overflow in
  // H5Aexists): it runs in a child process, whose crash is this file's error.
  return deserialise(run_in_child([&] { return serialise(read_in_this_process(path)); }, path,
                                  "corrupt HDF5 file (the HDF5 library failed reading it)"));
}

}  // namespace pseg
